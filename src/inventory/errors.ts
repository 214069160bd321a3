/** Coded errors of the inventory layer. Messages say what is wrong, where, and how to fix it. */

export type InventoryErrorCode =
  | 'inventory-not-found'
  | 'inventory-unreadable'
  | 'inventory-syntax'
  | 'inventory-invalid'
  | 'target-invalid'
  | 'target-unknown'
  | 'target-ambiguous';

export interface InventoryErrorDetails {
  /** The inventory file concerned. */
  file?: string;
  /** One line per problem (validation reports every problem at once, not just the first). */
  issues?: readonly string[];
  /** For unknown targets: close matches, best first. */
  suggestions?: readonly string[];
  cause?: unknown;
}

export class InventoryError extends Error {
  override readonly name = 'InventoryError';
  readonly code: InventoryErrorCode;
  readonly file: string | undefined;
  readonly issues: readonly string[];
  readonly suggestions: readonly string[];

  constructor(code: InventoryErrorCode, message: string, details: InventoryErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.file = details.file;
    this.issues = details.issues ?? [];
    this.suggestions = details.suggestions ?? [];
  }
}

/** Renders a field path like `hosts.web-3.services[0].name`; keys with dots are bracketed. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const text = String(key);
      if (/^[A-Za-z0-9_-]+$/.test(text)) out += out === '' ? text : `.${text}`;
      else out += `[${JSON.stringify(text)}]`;
    }
  }
  return out === '' ? '(top level)' : out;
}
