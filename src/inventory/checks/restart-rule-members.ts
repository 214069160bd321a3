/** A `restart.allow` rule with neither users nor usergroups: it allows nobody, which is surely a mistake. */
import type { CheckInput, Problem } from '../problem.js';
import type { RestartAllow } from '../schema.js';

export function restartRuleAllowingNobody(
  rule: RestartAllow,
  index: number,
  { filePath }: CheckInput,
): Problem[] {
  if ((rule.users ?? []).length > 0 || (rule.usergroups ?? []).length > 0) return [];
  return [
    {
      path: ['restart', 'allow', index],
      message: 'a rule without users or usergroups allows nobody',
      fix: `add users: [U…] or usergroups: [S…] to restart.allow[${index}] in ${filePath}`,
    },
  ];
}
