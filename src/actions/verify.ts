/**
 * Step 6 of the restart protocol: success only when the service answers its health check, the
 * failing request gets through nginx, and the error log has no new upstream errors. Polled for a
 * while (a service takes a moment to listen); never retries the restart itself.
 */
import type { ResolvedService } from '../inventory/types.js';
import type { CommandRunner } from '../probes/types.js';
import type { ActionRecord } from './action-record.js';
import { health, throughNginx, upstreamErrorsSince } from './checks.js';

export interface Verification {
  ok: boolean;
  seen: string[];
}

export async function verifyRestart(
  s: CommandRunner,
  record: ActionRecord,
  service: ResolvedService | undefined,
  errorLog: { path: string; offset: number },
  opts: { budgetMs?: number; intervalMs?: number } = {},
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
      answered &&= h.ok;
    } else if (record.kind === 'restart-service')
      seen.push('health: not checked (no health URL in the inventory)');
    if (record.probe) {
      const n = await throughNginx(s, record.probe);
      seen.push(n.text);
      answered &&= n.ok;
    } else seen.push('through nginx: not checked (no failing GET request in the evidence)');
    if (answered || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  }
  const errors = await upstreamErrorsSince(s, errorLog.path, errorLog.offset);
  if (errors.length > 0)
    seen.push(`${errors.length} new upstream error(s) in ${errorLog.path}: ${errors.at(-1)}`);
  else seen.push(`no new upstream errors in ${errorLog.path}`);
  return { ok: answered && errors.length === 0, seen };
}
