/**
 * Step 2 of the restart protocol: may this Slack user restart this host? A user matches a rule by id
 * or by membership of one of its user groups (looked up with usergroups.users.list by the caller);
 * the rule must also cover the host. No `restart:` policy: nobody may.
 */
import type { RestartPolicy } from '../inventory/types.js';

export type Authorization = { allowed: true; rule: number } | { allowed: false; reason: string };

export async function authorize(
  policy: RestartPolicy | undefined,
  userId: string,
  host: string,
  membersOf: (usergroup: string) => Promise<readonly string[]>,
): Promise<Authorization> {
  if (!policy)
    return { allowed: false, reason: 'the inventory has no restart: policy, so nobody may restart' };
  let coveredElsewhere = false;
  for (const [index, rule] of policy.allow.entries()) {
    const covers = rule.hosts === undefined || rule.hosts.includes(host);
    let member = rule.users.includes(userId);
    for (const group of rule.usergroups) {
      if (member) break;
      member = (await membersOf(group)).includes(userId);
    }
    if (member && covers) return { allowed: true, rule: index };
    if (member) coveredElsewhere = true;
  }
  return {
    allowed: false,
    reason: coveredElsewhere
      ? `you may restart other hosts, but not ${host} (restart.allow targets)`
      : 'you are not in restart.allow (users or usergroups) of the inventory',
  };
}
