/**
 * Validates inventory text: YAML syntax, then the schema, then the cross-field checks, and resolves
 * the result. Every problem is reported at once, each naming the field path, the line, and how to
 * fix it, because a half-fixed inventory that fails again on the next field wastes the time of
 * someone who is in the middle of an outage.
 */
import { LineCounter, parseDocument } from 'yaml';
import { buildInventory, type ResolvePathOptions } from './build-inventory.js';
import { crossCheck } from './cross-check.js';
import { InventoryError } from './errors.js';
import { type Problem, renderProblem } from './problem.js';
import { InventoryFile } from './schema.js';
import type { Inventory } from './types.js';
import { problemsFromZod } from './zod-problems.js';

export type ParseInventoryOptions = ResolvePathOptions;

/** Parses and validates inventory text; `filePath` is absolute and anchors relative paths. */
export function parseInventory(
  text: string,
  filePath: string,
  options: ParseInventoryOptions = {},
): Inventory {
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
  if (raw === null || raw === undefined) {
    throw new InventoryError(
      'inventory-invalid',
      `${filePath} is empty. Fix: add at least a hosts: map (see the inventory format in the README)`,
      { file: filePath, issues: ['(top level): the file is empty'] },
    );
  }

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
  const fail = (problems: Problem[]): never => {
    const issues = problems.map((problem) => renderProblem(problem, filePath, lineOf(problem.path)));
    const noun = issues.length === 1 ? 'problem' : 'problems';
    throw new InventoryError(
      'inventory-invalid',
      `${filePath} is not a valid inventory (${issues.length} ${noun}):\n${issues.map((i) => `  - ${i}`).join('\n')}`,
      { file: filePath, issues },
    );
  };

  const parsed = InventoryFile.safeParse(raw, { reportInput: true });
  if (!parsed.success) fail(parsed.error.issues.flatMap((issue) => problemsFromZod(issue, filePath)));
  const file = parsed.data as InventoryFile;

  const problems = crossCheck({ file, filePath, homeDir: options.homeDir });
  if (problems.length > 0) fail(problems);
  return buildInventory(file, filePath, options);
}
