/**
 * Step 4 of the restart protocol: look again, quickly, right before acting. A fault that is gone
 * (health answers, the failing request now gets through nginx) means nothing is done. An nginx
 * reload needs `nginx -t` to pass first (catalog section 8). With nothing to look at (no health URL,
 * no replayable request) or nothing conclusive, a person decides: nothing is done.
 */
import type { ResolvedService } from '../inventory/types.js';
import type { CommandRunner } from '../probes/types.js';
import type { ActionRecord } from './action-record.js';
import { failingRequestOnHost, type HttpSeen, health, throughNginx } from './checks.js';
import { NGINX_TEST } from './remote-scripts.js';
import type { ReplayRequest } from './request-line.js';

export type PreCheck =
  | { verdict: 'act'; detail: string; request?: ReplayRequest }
  | { verdict: 'fault-gone'; detail: string }
  | { verdict: 'ask'; detail: string }
  | { verdict: 'blocked'; detail: string };

/** The request to replay, read again from the host's error log, or why there is none. */
export async function replayRequest(
  s: CommandRunner,
  record: ActionRecord,
  errorLog: string,
): Promise<{ request?: ReplayRequest; note: string }> {
  if (!record.failing)
    return { note: 'through nginx: not checked (no failing GET/HEAD request in the evidence)' };
  const found = await failingRequestOnHost(s, errorLog, record.failing.marker);
  return 'request' in found
    ? { request: found.request, note: '' }
    : { note: `through nginx: not checked (${found.reason})` };
}

export async function preCheck(
  s: CommandRunner,
  record: ActionRecord,
  service: ResolvedService | undefined,
  errorLog: string,
): Promise<PreCheck> {
  if (record.kind === 'reload-nginx') {
    const t = await s.run(NGINX_TEST, { timeoutMs: 15_000, maxBytes: 64 * 1024, privileged: true });
    const out = `${t.stdout}${t.stderr}`.trim().split('\n').slice(-3).join(' / ');
    if (t.code !== 0) return { verdict: 'blocked', detail: `nginx -t failed, nothing reloaded: ${out}` };
  }
  const seen: HttpSeen[] = [];
  const notes: string[] = [];
  if (service?.health) seen.push(await health(s, service.health));
  else notes.push('health: not checked (no health URL in the inventory)');
  const { request, note } = await replayRequest(s, record, errorLog);
  if (request) seen.push(await throughNginx(s, request));
  else notes.push(note);
  const text = [...seen.map((h) => h.text), ...notes].join('; ');
  if (seen.some((h) => h.state === 'failing'))
    return { verdict: 'act', detail: `still failing (${text})`, ...(request ? { request } : {}) };
  if (seen.length > 0 && seen.every((h) => h.state === 'ok'))
    return { verdict: 'fault-gone', detail: `the fault is gone (${text})` };
  return {
    verdict: 'ask',
    detail:
      seen.length === 0
        ? `nothing to re-check (${text}): a person must look before restarting`
        : `the re-check is not conclusive (${text}): a person must look before restarting`,
  };
}
