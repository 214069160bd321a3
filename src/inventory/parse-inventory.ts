/**
 * Validates inventory text: YAML syntax, then the schema, then the cross-field checks, and resolves
 * the result. Every problem is reported at once, each naming the field path, the line, and how to
 * fix it, because a half-fixed inventory that fails again on the next field wastes the time of
 * someone who is in the middle of an outage.
 */
import { buildInventory, type ResolvePathOptions } from './build-inventory.js';
import { crossCheck } from './cross-check.js';
import { InventoryError } from './errors.js';
import { type Problem, renderProblem } from './problem.js';
import { type InventoryDocument, readYamlDocument } from './read-yaml-document.js';
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
  return validateInventory(readYamlDocument(text, filePath), filePath, options);
}

/**
 * Validates an inventory already read into its raw shape (from diagnose502's YAML, or built from an
 * Ansible inventory: sources.ts); `document.lineOf` says where a field was written.
 */
export function validateInventory(
  document: InventoryDocument,
  filePath: string,
  options: ParseInventoryOptions = {},
): Inventory {
  const { raw, lineOf } = document;
  if (raw === null || raw === undefined) {
    throw new InventoryError(
      'inventory-invalid',
      `${filePath} is empty. Fix: add at least a hosts: map (see the inventory format in the README)`,
      { file: filePath, issues: ['(top level): the file is empty'] },
    );
  }

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
