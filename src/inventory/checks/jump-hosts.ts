/** A jump host (the default one or a host's own) that is not a host of the inventory. */

import { closeMatches } from '../close-matches.js';
import { formatFieldPath } from '../errors.js';
import { type CheckInput, didYouMean, type Problem } from '../problem.js';

export function unknownJumpHosts({ file, filePath }: CheckInput): Problem[] {
  const hostNames = Object.keys(file.hosts);
  const unknown = (path: PropertyKey[], jump: string): Problem => ({
    path,
    message: `jump host "${jump}" is not a host of this inventory${didYouMean(closeMatches(jump, hostNames, 3))}`,
    fix: `add hosts.${jump} (with its address) or correct ${formatFieldPath(path)} in ${filePath}`,
  });
  const problems: Problem[] = [];
  const defaultJump = file.ssh?.jumpHost;
  if (typeof defaultJump === 'string' && !Object.hasOwn(file.hosts, defaultJump)) {
    problems.push(unknown(['ssh', 'jumpHost'], defaultJump));
  }
  for (const [name, host] of Object.entries(file.hosts)) {
    const own = host.ssh?.jumpHost;
    if (typeof own === 'string' && !Object.hasOwn(file.hosts, own)) {
      problems.push(unknown(['hosts', name, 'ssh', 'jumpHost'], own));
    }
  }
  return problems;
}
