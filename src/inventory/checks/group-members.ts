/** A group member that is not a host of the inventory, with the closest host names. */
import { closeMatches } from '../close-matches.js';
import { type CheckInput, didYouMean, type Problem } from '../problem.js';

export function unknownGroupMembers(
  group: string,
  members: readonly string[],
  { file, filePath }: CheckInput,
): Problem[] {
  const hostNames = Object.keys(file.hosts);
  const problems: Problem[] = [];
  members.forEach((member, index) => {
    if (Object.hasOwn(file.hosts, member)) return;
    problems.push({
      path: ['groups', group, index],
      message: `"${member}" is not a host of this inventory${didYouMean(closeMatches(member, hostNames, 3))}`,
      fix: `add hosts.${member} or remove it from groups.${group} in ${filePath}`,
    });
  });
  return problems;
}
