/**
 * Step 6 of the restart protocol: success only when the service answers its health check, the
 * failing request gets through nginx, and the error log has no new upstream errors. Polled for a
 * while (a service takes a moment to listen); never retries the restart itself. A check that could
 * not be made is not a success.
 */

import type { ResolvedService } from '../inventory/types.js';
import { redact } from '../parse/redact.js';
import type { CommandRunner } from '../probes/types.js';
import type { ActionRecord } from './action-record.js';
import { health, throughNginx, upstreamErrorsSince } from './checks.js';
import type { ReplayRequest } from './request-line.js';

export interface Verification {
  ok: boolean;
  seen: string[];
}

export async function verifyRestart(
  s: CommandRunner,
  record: ActionRecord,
  service: ResolvedService | undefined,
  errorLog: { path: string; offset: number },
  opts: { budgetMs?: number; intervalMs?: number; request?: ReplayRequest; requestNote?: string } = {},
): Promise<Verification> {
  const deadline = Date.now() + (opts.budgetMs ?? 20_000);
  let seen: string[] = [];
  let answered = false;
  for (;;) {
    seen = [];
    answered = true;
    if (service?.health) {
      const h = await health(s, service.health);
      seen.push(h.text);
      answered &&= h.state === 'ok';
    } else if (record.kind === 'restart-service')
      seen.push('health: not checked (no health URL in the inventory)');
    if (opts.request) {
      const n = await throughNginx(s, opts.request);
      seen.push(n.text);
      answered &&= n.state === 'ok';
    } else seen.push(opts.requestNote ?? 'through nginx: not checked (no replayable failing request)');
    if (answered || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  }
  const errors = await upstreamErrorsSince(s, errorLog.path, errorLog.offset);
  if (errors.length > 0)
    seen.push(`${errors.length} new upstream error(s) in ${errorLog.path}: ${redact(errors.at(-1) ?? '')}`);
  else seen.push(`no new upstream errors in ${errorLog.path}`);
  return { ok: answered && errors.length === 0, seen };
}
