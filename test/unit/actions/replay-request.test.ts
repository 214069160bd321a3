/**
 * Issue 15, item 1: the restart pre-check and verification replay only a normalized GET/HEAD with
 * the original Host, read strictly from nginx's own unredacted line on the host, with curl taking
 * the URL literally and a status that is three digits from a curl that exited 0, or "could not check".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionRecord } from '../../../src/actions/action-record.js';
import { failingRequestOnHost, health, parseStatus } from '../../../src/actions/checks.js';
import { preCheck } from '../../../src/actions/pre-check.js';
import { lineMarker, replayableRequest } from '../../../src/actions/request-line.js';
import { shRunner } from '../probes/local-runner.js';

const HEAD = '2026/12/07 14:02:11 [error] 213#213: *345 ';
const line = (tail: string) =>
  `${HEAD}connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.9, server: shop, ${tail}`;
const PLAIN = line(
  'request: "GET /orders/7?token=s3cr3t HTTP/1.1", upstream: "http://127.0.0.1:8081/orders/7?token=s3cr3t", host: "shop.example"',
);
// The Referer is the client's text, written raw after the host: it repeats the request and host fields.
const FORGED_REFERER = line(
  'request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "shop.example", referrer: "x", request: "GET /admin/purge HTTP/1.1", host: "admin.internal"',
);

describe('the request a restart check replays, read from the error-log line', () => {
  it.each([
    [
      'a plain line: the path without its query, the original Host',
      PLAIN,
      { ok: true, method: 'GET', path: '/orders/7', host: 'shop.example' },
    ],
    [
      'HEAD stays HEAD',
      line('request: "HEAD / HTTP/2.0", host: "shop.example:8443", referrer: "https://a/b"'),
      { ok: true, method: 'HEAD', path: '/', host: 'shop.example:8443' },
    ],
    ['a Referer that repeats the request and host fields', FORGED_REFERER, { ok: false }],
    [
      'a Referer that adds a host to a line without one',
      line('request: "GET / HTTP/1.0", referrer: "x", host: "admin.internal"'),
      { ok: false },
    ],
    ['a POST', line('request: "POST /orders HTTP/1.1", host: "shop.example"'), { ok: false }],
    ['a brace glob in the path', line('request: "GET /{a,b} HTTP/1.1", host: "shop.example"'), { ok: false }],
    [
      'a range glob in the path',
      line('request: "GET /[1-300] HTTP/1.1", host: "shop.example"'),
      { ok: false },
    ],
    [
      'an absolute-form target',
      line('request: "GET http://admin.internal/ HTTP/1.1", host: "shop.example"'),
      { ok: false },
    ],
    ['a host that is not a host name', line('request: "GET / HTTP/1.1", host: "a b"'), { ok: false }],
    ['no host field', line('request: "GET / HTTP/1.0", upstream: "http://127.0.0.1:8081/"'), { ok: false }],
    ["a line that is not nginx's", `x ${PLAIN}`, { ok: false }],
  ])('%s', (_name, text, expected) => {
    expect(replayableRequest(text)).toMatchObject(expected);
  });

  it("names a line by its marker only, none of the client's text", () => {
    expect(lineMarker(PLAIN)).toBe(HEAD);
    expect(lineMarker(line('request: "POST / HTTP/1.1", host: "a"'))).toBeUndefined();
  });

  it('takes only three digits from a curl that exited 0 as an answer', () => {
    const ok = (n: number) => n < 500;
    expect(parseStatus('200 0', 'x', ok)).toMatchObject({ state: 'ok', status: 200 });
    expect(parseStatus('502 0', 'x', ok)).toMatchObject({ state: 'failing', text: 'x: HTTP 502' });
    // `?token=[REDACTED]` made curl exit 3 with no status: it once read as "HTTP 3", healthy.
    expect(parseStatus(' 3', 'x', ok)).toMatchObject({
      state: 'unknown',
      text: 'x: could not check (no status from curl)',
    });
    expect(parseStatus('000 3', 'x', ok)).toMatchObject({
      state: 'unknown',
      text: 'x: could not check (curl exit 3)',
    });
    expect(parseStatus('000 7', 'x', ok)).toMatchObject({
      state: 'failing',
      text: 'x: no answer (curl exit 7)',
    });
    expect(parseStatus('2000 0', 'x', ok).state).toBe('unknown');
    expect(parseStatus('', 'x', ok).state).toBe('unknown');
  });
});

describe('the checks against a real curl, HTTP server and error log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'd502-replay-'));
  const seen: string[] = [];
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends one request for a URL with globs, and never reads a curl error as healthy', async () => {
    for (const path of ['/{a,b}', '/[1-300]']) {
      seen.length = 0;
      const h = await health(shRunner(), `${base}${path}`);
      expect(seen, path).toHaveLength(1);
      expect(h.state).not.toBe('unknown');
    }
    // A URL curl refuses (a protocol it must not use): could not check, not healthy.
    seen.length = 0;
    const refused = await health(shRunner(), 'file:///etc/passwd');
    expect(refused).toMatchObject({ state: 'unknown' });
    expect(refused.text).toMatch(/could not check \(curl exit \d+\)/);
  });

  const record = (marker: string): ActionRecord => ({
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    kind: 'restart-service',
    host: 'web-1',
    address: '127.0.0.1',
    service: 'app',
    command: 'true',
    diagnosis: { jobId: 'j', cause: 'upstream-down', title: 't' },
    failing: { marker },
    createdAt: 0,
    expiresAt: Date.now() + 60_000,
    dryRun: false,
  });

  it('reads the unredacted line again on the host and replays its request, not the Referer', async () => {
    const log = join(dir, 'error.log');
    writeFileSync(
      log,
      `${line('request: "GET /older HTTP/1.1", host: "old"').replace('*345', '*344')}\n${PLAIN}\n`,
    );
    expect(await failingRequestOnHost(shRunner(), log, HEAD)).toEqual({
      request: { method: 'GET', path: '/orders/7', host: 'shop.example' },
    });
    writeFileSync(log, `${FORGED_REFERER}\n`);
    const forged = await failingRequestOnHost(shRunner(), log, HEAD);
    expect(forged).toMatchObject({
      reason: expect.stringMatching(/not replayable: the line holds its request field 2 times/),
    });
  });

  it('asks a person, and requests nothing, when there is neither a health URL nor a replayable request', async () => {
    const log = join(dir, 'forged.log');
    writeFileSync(log, `${FORGED_REFERER}\n`);
    seen.length = 0;
    const pre = await preCheck(shRunner(), record(HEAD), { name: 'app', logs: [] } as never, log);
    expect(pre.verdict).toBe('ask');
    expect(pre.detail).toMatch(/a person must look/);
    expect(pre.detail).not.toContain('admin');
    expect(seen).toEqual([]);
    // A health URL that answers decides alone (nothing is done either way); the forged request is not sent.
    const withHealth = await preCheck(
      shRunner(),
      record(HEAD),
      { name: 'app', logs: [], health: `${base}/healthz` } as never,
      log,
    );
    expect(withHealth.verdict).toBe('fault-gone');
    expect(withHealth.detail).toMatch(/through nginx: not checked \(its error-log line is not replayable/);
    expect(seen).toEqual(['/healthz']);
  });
});
