/** The narrow probes that the pre-check and the verification share (scripts in remote-scripts.ts). */
import type { CommandRunner } from '../probes/types.js';
import { FILE_SIZE, HTTP_STATUS, THROUGH_NGINX, UPSTREAM_ERRORS_SINCE } from './remote-scripts.js';

const OPTS = { timeoutMs: 10_000, maxBytes: 64 * 1024 };

export interface HttpSeen {
  status: number;
  ok: boolean;
  text: string;
}

function seen(stdout: string, what: string): HttpSeen {
  const [status = '000', exit = '?'] = stdout.trim().split(/\s+/);
  const n = Number(status);
  const ok = n >= 200 && n < 400;
  const text = n === 0 ? `${what}: no answer (curl exit ${exit})` : `${what}: HTTP ${n}`;
  return { status: n, ok, text };
}

/** The service's own health URL from the inventory. */
export async function health(s: CommandRunner, url: string): Promise<HttpSeen> {
  const r = await s.run(HTTP_STATUS, { ...OPTS, stdin: `${url}\n` });
  return seen(r.stdout, `health ${url}`);
}

/** The failing request again, through the local nginx: anything but a 502/503/504 means nginx got an answer. */
export async function throughNginx(
  s: CommandRunner,
  probe: { path: string; hostHeader: string },
): Promise<HttpSeen> {
  const r = await s.run(THROUGH_NGINX, { ...OPTS, stdin: `${probe.path}\n${probe.hostHeader}\n` });
  const h = seen(r.stdout, `GET ${probe.path} through nginx`);
  return { ...h, ok: h.status !== 0 && ![502, 503, 504].includes(h.status) };
}

export async function fileSize(s: CommandRunner, path: string): Promise<number> {
  const r = await s.run(FILE_SIZE, { ...OPTS, stdin: `${path}\n`, privileged: true });
  return Number(r.stdout.trim()) || 0;
}

export async function upstreamErrorsSince(s: CommandRunner, path: string, offset: number): Promise<string[]> {
  const r = await s.run(UPSTREAM_ERRORS_SINCE, { ...OPTS, stdin: `${path}\n${offset}\n`, privileged: true });
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}
