/**
 * The checks the schema cannot make, because they relate one field to another (names that clash,
 * references to hosts and groups, jump chains, settings that must be set somewhere). One check a
 * function, in checks/; this file only walks the inventory and runs them all, so every problem is
 * reported at once, in the order the sections are walked (each group, host and rule's problems together).
 */
import { alertRoutesToUnknownGroups } from './checks/alert-route-groups.js';
import { unknownGroupMembers } from './checks/group-members.js';
import { groupNamedLikeHost } from './checks/group-names.js';
import { unexpandableHomePath } from './checks/home-paths.js';
import { duplicateHostEndpoint } from './checks/host-endpoints.js';
import { hostNamesDifferingInCase } from './checks/host-name-case.js';
import { unknownJumpHosts } from './checks/jump-hosts.js';
import { jumpHostLoops } from './checks/jump-loops.js';
import { restartRuleAllowingNobody } from './checks/restart-rule-members.js';
import { unknownRestartTargets } from './checks/restart-rule-targets.js';
import { duplicateServiceNames } from './checks/service-names.js';
import { missingSshSettings } from './checks/ssh-required.js';
import type { CheckInput, Problem } from './problem.js';

export function crossCheck(input: CheckInput): Problem[] {
  const { file } = input;
  const problems = [...hostNamesDifferingInCase(input), ...alertRoutesToUnknownGroups(input)];
  for (const [group, members] of Object.entries(file.groups ?? {})) {
    problems.push(...groupNamedLikeHost(group, input), ...unknownGroupMembers(group, members, input));
  }
  problems.push(...unknownJumpHosts(input));
  // A loop is only worth reading once every name resolves: otherwise it is noise beside the real mistake.
  if (problems.length === 0) problems.push(...jumpHostLoops(input));
  problems.push(...missingSshSettings(input));

  problems.push(
    ...unexpandableHomePath(['ssh', 'privateKeyPath'], file.ssh?.privateKeyPath, input),
    ...unexpandableHomePath(['ssh', 'knownHostsPath'], file.ssh?.knownHostsPath, input),
  );
  const hostByEndpoint = new Map<string, string>();
  for (const [name, host] of Object.entries(file.hosts)) {
    problems.push(
      ...unexpandableHomePath(['hosts', name, 'ssh', 'privateKeyPath'], host.ssh?.privateKeyPath, input),
      ...unexpandableHomePath(['hosts', name, 'ssh', 'knownHostsPath'], host.ssh?.knownHostsPath, input),
      ...duplicateHostEndpoint(name, host, hostByEndpoint, input),
      ...duplicateServiceNames(name, host, input),
    );
  }

  (file.restart?.allow ?? []).forEach((rule, index) => {
    problems.push(
      ...restartRuleAllowingNobody(rule, index, input),
      ...unknownRestartTargets(rule, index, input),
    );
  });
  return problems;
}
