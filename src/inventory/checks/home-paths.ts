/**
 * A key or known_hosts path starting with `~`: `~/` needs a home directory to expand against, and
 * `~user/` is not supported at all.
 */
import { dirname } from 'node:path';
import type { CheckInput, Problem } from '../problem.js';

export function unexpandableHomePath(
  path: PropertyKey[],
  value: string | undefined,
  { filePath, homeDir }: CheckInput,
): Problem[] {
  if (value === undefined || !value.startsWith('~')) return [];
  if (!value.startsWith('~/')) {
    return [
      { path, message: '"~user/" paths are not supported', fix: `use an absolute path in ${filePath}` },
    ];
  }
  if (homeDir !== undefined) return [];
  return [
    {
      path,
      message: '"~/" cannot be expanded here (no home directory known)',
      fix: `use an absolute path or one relative to ${dirname(filePath)}`,
    },
  ];
}
