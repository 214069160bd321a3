/**
 * One thing wrong with an inventory file, and how it reads: field path, line, what is wrong and the
 * fix, so that every problem can be reported at once.
 */
import { formatFieldPath } from './errors.js';
import type { InventoryFile } from './schema.js';

export interface Problem {
  path: PropertyKey[];
  message: string;
  /** Default: "set <field> in <file>". */
  fix?: string;
}

/** What a cross-field check sees: the file as the schema parsed it, where it lives, the home directory. */
export interface CheckInput {
  file: InventoryFile;
  /** Absolute; named in every fix. */
  filePath: string;
  /** For `~/` paths; without it they are refused. */
  homeDir?: string | undefined;
}

/** One cross-field check: the problems it finds (none when the file passes it). */
export type InventoryCheck = (input: CheckInput) => Problem[];

export function renderProblem(problem: Problem, filePath: string, line: number | string | undefined): string {
  const field = formatFieldPath(problem.path);
  // A string is a place in another file (an Ansible inventory under an overlay: `hosts.ini line 4`).
  const at = line === undefined ? '' : typeof line === 'number' ? ` (line ${line})` : ` (${line})`;
  const fix = problem.fix ?? `set ${field} in ${filePath}`;
  return `${field}: ${problem.message}${at}. Fix: ${fix}`;
}

/** " (did you mean a, b?)" for close matches, or nothing. */
export function didYouMean(guesses: readonly string[]): string {
  return guesses.length > 0 ? ` (did you mean ${guesses.join(', ')}?)` : '';
}
