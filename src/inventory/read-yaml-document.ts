/**
 * A YAML inventory file read into its raw value, with the line of every field kept for error
 * messages. YAML syntax errors are thrown here, with the line, column and an excerpt.
 */
import { LineCounter, parseDocument } from 'yaml';
import { InventoryError } from './errors.js';

/** An inventory in its raw (unvalidated) shape, and where each field was written. */
export interface InventoryDocument {
  raw: unknown;
  /** A line number in the inventory file, or a place in another file (`hosts.ini line 4`). */
  lineOf(path: readonly PropertyKey[]): number | string | undefined;
}

export function readYamlDocument(text: string, filePath: string): InventoryDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const syntaxError = doc.errors[0];
  if (syntaxError !== undefined) {
    const pos = syntaxError.linePos?.[0];
    const where = pos === undefined ? '' : `:${pos.line}:${pos.col}`;
    const [headline = '', ...excerpt] = syntaxError.message.split('\n');
    const reason = headline.replace(/ at line \d+, column \d+:?$/, '');
    const at = pos === undefined ? '' : ` at line ${pos.line}, column ${pos.col}`;
    throw new InventoryError(
      'inventory-syntax',
      `${filePath}${where}: YAML syntax error: ${reason}\n${excerpt.join('\n').trimEnd()}\nFix: correct the YAML${at} of ${filePath}`,
      { file: filePath, issues: [`line ${pos?.line ?? '?'}, column ${pos?.col ?? '?'}: ${reason}`] },
    );
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    // Walk up until a node exists, so a missing field points at the object that lacks it (but not
    // at the whole document: "line 1" would only mislead).
    for (let n = path.length; n >= 1; n--) {
      const node: unknown = doc.getIn(path.slice(0, n) as unknown[], true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range !== undefined) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
  return { raw, lineOf };
}
