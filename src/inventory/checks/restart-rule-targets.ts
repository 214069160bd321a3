/** A `restart.allow` target that is neither a host nor a group, with the closest names. */
import { closeMatches } from '../close-matches.js';
import { type CheckInput, didYouMean, type Problem } from '../problem.js';
import type { RestartAllow } from '../schema.js';

export function unknownRestartTargets(
  rule: RestartAllow,
  index: number,
  { file, filePath }: CheckInput,
): Problem[] {
  const names = [...Object.keys(file.hosts), ...Object.keys(file.groups ?? {})];
  const problems: Problem[] = [];
  (rule.targets ?? []).forEach((target, t) => {
    if (Object.hasOwn(file.hosts, target) || Object.hasOwn(file.groups ?? {}, target)) return;
    problems.push({
      path: ['restart', 'allow', index, 'targets', t],
      message: `"${target}" is neither a host nor a group of this inventory${didYouMean(closeMatches(target, names, 3))}`,
      fix: `correct restart.allow[${index}].targets in ${filePath}`,
    });
  });
  return problems;
}
