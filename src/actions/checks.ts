/** The narrow probes that the pre-check and the verification share (scripts in remote-scripts.ts). */
import { redact } from '../parse/redact.js';
import type { CommandRunner } from '../probes/types.js';
import {
  ERROR_LINES,
  FILE_SIZE,
  HTTP_STATUS,
  THROUGH_NGINX,
  UPSTREAM_ERRORS_SINCE,
} from './remote-scripts.js';
import { type ReplayRequest, replayableRequest } from './request-line.js';

const OPTS = { timeoutMs: 10_000, maxBytes: 64 * 1024 };

/**
 * What a check saw: `ok` (the fault is not there), `failing` (it is), or `unknown` (nothing could be
 * concluded: curl did not run as asked, the output was not a status). Only `ok` counts as healthy.
 */
export interface HttpSeen {
  state: 'ok' | 'failing' | 'unknown';
  status?: number;
  text: string;
}

/**
 * curl exit codes that mean it tried and nothing answered (connect refused, timed out, empty reply,
 * reset): the check ran, and what it checks is failing. Any other non-zero exit is "could not check".
 */
const NO_ANSWER = new Set([7, 28, 52, 56]);

/** `<three digits> <curl exit code>`, strictly; anything else is not an answer. */
export function parseStatus(stdout: string, what: string, healthy: (status: number) => boolean): HttpSeen {
  const m = /^(\d{3}) (\d{1,3})$/.exec(stdout.trim());
  if (!m) return { state: 'unknown', text: `${what}: could not check (no status from curl)` };
  const status = Number(m[1]);
  const exit = Number(m[2]);
  if (exit === 0 && status >= 100)
    return { state: healthy(status) ? 'ok' : 'failing', status, text: `${what}: HTTP ${status}` };
  if (NO_ANSWER.has(exit)) return { state: 'failing', text: `${what}: no answer (curl exit ${exit})` };
  return { state: 'unknown', text: `${what}: could not check (curl exit ${exit})` };
}

/** The service's own health URL from the inventory: 2xx/3xx is healthy. */
export async function health(s: CommandRunner, url: string): Promise<HttpSeen> {
  const r = await s.run(HTTP_STATUS, { ...OPTS, stdin: `${url}\n` });
  return parseStatus(r.stdout, `health ${url}`, (n) => n >= 200 && n < 400);
}

/** The failing request again, through the local nginx: anything but a 502/503/504 means nginx got an answer. */
export async function throughNginx(s: CommandRunner, req: ReplayRequest): Promise<HttpSeen> {
  const r = await s.run(THROUGH_NGINX, { ...OPTS, stdin: `${req.method}\n${req.path}\n${req.host}\n` });
  return parseStatus(
    r.stdout,
    `${req.method} ${redact(req.path)} through nginx`,
    (n) => ![502, 503, 504].includes(n),
  );
}

/**
 * The request of the error-log line named by `marker`, read again on the host (unredacted, kept in
 * the worker). Several lines of one connection must agree; otherwise, or when the line is gone or
 * refused by the strict parse, there is nothing to replay and the reason says why.
 */
export async function failingRequestOnHost(
  s: CommandRunner,
  errorLog: string,
  marker: string,
): Promise<{ request: ReplayRequest } | { reason: string }> {
  const r = await s.run(ERROR_LINES, { ...OPTS, stdin: `${errorLog}\n${marker}\n`, sudoInside: true });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith(marker));
  if (lines.length === 0)
    return { reason: `its error-log line is no longer in the last part of ${errorLog}` };
  const parsed = lines.map(replayableRequest);
  const refused = parsed.find((p) => !p.ok);
  if (refused && !refused.ok) return { reason: `its error-log line is not replayable: ${refused.reason}` };
  const keys = new Set(parsed.map((p) => (p.ok ? `${p.method} ${p.host} ${p.path}` : '')));
  if (keys.size !== 1) return { reason: 'the error-log lines of its connection name different requests' };
  const first = parsed[0];
  return first?.ok
    ? { request: { method: first.method, path: first.path, host: first.host } }
    : { reason: '?' };
}

export async function fileSize(s: CommandRunner, path: string): Promise<number> {
  const r = await s.run(FILE_SIZE, { ...OPTS, stdin: `${path}\n`, sudoInside: true });
  return Number(r.stdout.trim()) || 0;
}

export async function upstreamErrorsSince(s: CommandRunner, path: string, offset: number): Promise<string[]> {
  const r = await s.run(UPSTREAM_ERRORS_SINCE, { ...OPTS, stdin: `${path}\n${offset}\n`, sudoInside: true });
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}
