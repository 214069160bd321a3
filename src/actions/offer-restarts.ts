/**
 * Step 1 of the restart protocol: which buttons a report gets. Only actions marked `safe` on the
 * report's first finding (catalog section 8), only for a service whose inventory entry has a
 * `restart` command (or an nginx reload, a fixed command), and only when the inventory has a
 * `restart:` policy. Each offer is an action record in Redis; the button carries its id only.
 */

import type { Inventory } from '../inventory/types.js';
import type { RedisConn } from '../queue/redis.js';
import type { HostReport, TargetReport } from '../report/types.js';
import { type ActionRecord, newActionId, saveActionRecord } from './action-record.js';
import type { ActionKeys } from './keys.js';
import { lineMarker } from './request-line.js';
import type { RestartOffer } from './restart-offer.js';

/** The one command an nginx reload runs (after `nginx -t` passed in the pre-check). */
export const NGINX_RELOAD_COMMAND = 'nginx -s reload';

/**
 * The error-log line of a GET/HEAD request that failed, named by its marker only: the checks read
 * the line again on the host, unredacted, and replay its request (request-line.ts).
 */
export function failingRequest(evidence: readonly string[]): ActionRecord['failing'] {
  for (const line of evidence) {
    const marker = lineMarker(line);
    if (marker) return { marker };
  }
  return undefined;
}

/** What the report's first finding offers on `h`, before anything is stored (pure). */
export function plannedRestarts(
  inventory: Inventory,
  h: HostReport,
  jobId: string,
  now: number,
): Omit<ActionRecord, 'id'>[] {
  const policy = inventory.restart;
  const host = inventory.hosts.get(h.host);
  const f = h.findings[0];
  if (!policy || !host || !f || h.verdict !== 'cause-found') return [];
  const out: Omit<ActionRecord, 'id'>[] = [];
  const common = {
    host: host.name,
    address: host.address,
    diagnosis: { jobId, cause: f.cause, title: f.title },
    createdAt: now,
    expiresAt: now + policy.expiresMs,
    dryRun: policy.dryRun,
    ...(failingRequest(f.evidence) ? { failing: failingRequest(f.evidence) } : {}),
  };
  for (const a of f.actions) {
    if (a.kind !== 'safe') continue;
    if (a.id === 'reload-nginx') {
      out.push({ ...common, kind: 'reload-nginx', service: 'nginx', command: NGINX_RELOAD_COMMAND });
      continue;
    }
    const name = /^restart-service:(.+)$/.exec(a.id)?.[1];
    const svc = host.services.find((s) => s.name === name);
    if (!svc?.restart) continue;
    out.push({ ...common, kind: 'restart-service', service: svc.name, command: svc.restart });
  }
  return out;
}

/** Stores the records of a one-host report and returns its buttons (none for a group report). */
export async function offerRestarts(
  redis: RedisConn,
  keys: ActionKeys,
  inventory: Inventory,
  report: TargetReport,
  jobId: string,
  now = Date.now(),
): Promise<RestartOffer[]> {
  const only = report.hosts.length === 1 ? report.hosts[0] : undefined;
  if (!only) return [];
  const offers: RestartOffer[] = [];
  for (const planned of plannedRestarts(inventory, only, jobId, now)) {
    const record: ActionRecord = { ...planned, id: newActionId() };
    await saveActionRecord(redis, keys, record);
    const verb = record.kind === 'reload-nginx' ? 'Reload nginx' : `Restart ${record.service}`;
    offers.push({
      recordId: record.id,
      label: `${record.dryRun ? 'Dry run: ' : ''}${verb} on ${record.host}`,
      host: record.host,
      address: record.address,
      command: record.command,
      dryRun: record.dryRun,
      expiresAt: record.expiresAt,
    });
  }
  return offers;
}
