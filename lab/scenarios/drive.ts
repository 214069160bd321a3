/**
 * driveTraffic: real client requests to a host's nginx, from the root namespace over the lab
 * network, so nginx logs exactly what it logs in production.
 */
import { mapLimit } from '../exec.js';
import type { Lab } from '../fleet.js';
import type { HttpResult } from '../http-client.js';
import { httpRequest } from '../http-client.js';
import type { DriveSpec } from './types.js';

export interface DriveResult {
  /** One per request, in the order sent; 0 = no HTTP answer. */
  statuses: number[];
  results: HttpResult[];
}

export async function driveTraffic(lab: Lab, host: string, spec: DriveSpec): Promise<DriveResult> {
  const { address } = lab.host(host);
  const body = spec.bodyBytes ? Buffer.alloc(spec.bodyBytes, 'x') : undefined;
  const indexes = Array.from({ length: spec.count }, (_, i) => i);
  const results = await mapLimit(indexes, spec.concurrency ?? 1, () =>
    httpRequest({ address, path: spec.path, method: spec.method ?? 'GET', body, timeoutMs: spec.timeoutMs }),
  );
  return { statuses: results.map((r) => r.status), results };
}
