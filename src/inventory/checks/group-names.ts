/** A group named like a host (ignoring case): a target of that name would be ambiguous. */
import type { CheckInput, Problem } from '../problem.js';

export function groupNamedLikeHost(group: string, { file, filePath }: CheckInput): Problem[] {
  const clash = Object.keys(file.hosts).find((name) => name.toLowerCase() === group.toLowerCase());
  if (clash === undefined) return [];
  return [
    {
      path: ['groups', group],
      message: `group has the same name as hosts.${clash}, so a target "${group}" would be ambiguous`,
      fix: `rename the group groups.${group} in ${filePath}`,
    },
  ];
}
