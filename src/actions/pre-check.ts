/**
 * Step 4 of the restart protocol: look again, quickly, right before acting. A fault that is gone
 * (health answers, the failing request now gets through nginx) means nothing is done. An nginx
 * reload needs `nginx -t` to pass first (catalog section 8).
 */
import type { ResolvedService } from '../inventory/types.js';
import type { CommandRunner } from '../probes/types.js';
import type { ActionRecord } from './action-record.js';
import { health, throughNginx } from './checks.js';
import { NGINX_TEST } from './remote-scripts.js';

export type PreCheck =
  | { verdict: 'act'; detail: string }
  | { verdict: 'fault-gone'; detail: string }
  | { verdict: 'blocked'; detail: string };

export async function preCheck(
  s: CommandRunner,
  record: ActionRecord,
  service: ResolvedService | undefined,
): Promise<PreCheck> {
  if (record.kind === 'reload-nginx') {
    const t = await s.run(NGINX_TEST, { timeoutMs: 15_000, maxBytes: 64 * 1024, privileged: true });
    const out = `${t.stdout}${t.stderr}`.trim().split('\n').slice(-3).join(' / ');
    if (t.code !== 0) return { verdict: 'blocked', detail: `nginx -t failed, nothing reloaded: ${out}` };
  }
  const seen: string[] = [];
  let healthy: boolean | undefined;
  if (service?.health) {
    const h = await health(s, service.health);
    seen.push(h.text);
    healthy = h.ok;
  }
  if (record.probe) {
    const n = await throughNginx(s, record.probe);
    seen.push(n.text);
    healthy = (healthy ?? true) && n.ok;
  }
  if (healthy === true) return { verdict: 'fault-gone', detail: `the fault is gone (${seen.join('; ')})` };
  const detail =
    healthy === undefined
      ? 'no health URL nor failing request to re-check; acting on the diagnosis'
      : `still failing (${seen.join('; ')})`;
  return { verdict: 'act', detail };
}
