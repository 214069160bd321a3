import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBatch } from '../../../src/probes/batch.js';
import {
  curlError,
  HEALTH_TIMEOUT_S,
  healthProbe,
  healthStdin,
  parseHealth,
} from '../../../src/probes/defs/health.js';
import type { ProbeBatch, ProbeService } from '../../../src/probes/types.js';
import { linkTools, shRunner } from './local-runner.js';

/**
 * The probe in a batch as sshd would run it, with the machine's real sh, bash and curl: after an sh
 * probe, so that the batch is an sh one with the health check in a `bash -c`, or in its POSIX fallback
 * where bash is missing.
 */
async function runProbe(stdin: string, path?: string): Promise<string> {
  let out = '';
  const batch: ProbeBatch = {
    id: 'b',
    timeoutMs: 20_000,
    probes: [{ id: 'sh', title: 'sh', script: 'true', privileged: false, maxBytes: 100 }, healthProbe],
  };
  await runBatch(shRunner(path), batch, ctx, {
    inputs: { 'app-health': stdin },
    onPart: (o) => {
      if (o.probe.id === 'app-health') out = o.ok ? o.stdout : `failed: ${o.reason}`;
    },
  });
  return out;
}

const ctx = {
  host: { name: 'h', address: '127.0.0.1', nginx: { errorLog: '/e', accessLog: '/a' }, services: [] },
  sinceS: 900,
};

const service = (name: string, health: string): ProbeService => ({ name, health, logs: [] });
const stdinFor = (services: ProbeService[]) =>
  healthStdin({
    host: { name: 'h', address: '127.0.0.1', nginx: { errorLog: '/e', accessLog: '/a' }, services },
    sinceS: 900,
  });

describe('app health checks (real bash, curl and local servers)', () => {
  let http: Server;
  let closer: ReturnType<typeof createTcpServer>;
  let resetter: ReturnType<typeof createTcpServer>;
  let silent: ReturnType<typeof createTcpServer>;
  let refusedPort = 0;
  let tools = '';
  const requests: string[] = [];
  const port = (s: { address(): AddressInfo | string | null }) => (s.address() as AddressInfo).port;

  beforeAll(async () => {
    http = createServer((req, res) => {
      requests.push(`${req.method} ${req.url} host=${req.headers.host}`);
      res.statusCode = req.url?.startsWith('/down') ? 503 : 200;
      res.end('ok\n');
    }).listen(0, '127.0.0.1');
    // Accepts, reads the request, closes without a byte: curl's "empty reply".
    closer = createTcpServer((s: Socket) => s.once('data', () => s.end())).listen(0, '127.0.0.1');
    // Accepts and resets the connection.
    resetter = createTcpServer((s: Socket) => s.once('data', () => s.resetAndDestroy())).listen(
      0,
      '127.0.0.1',
    );
    // Accepts and never answers: the check must give up at its time limit.
    silent = createTcpServer((s: Socket) => s.resume()).listen(0, '127.0.0.1');
    const gone = createTcpServer().listen(0, '127.0.0.1');
    await Promise.all([http, closer, resetter, silent, gone].map((s) => once(s, 'listening')));
    refusedPort = port(gone);
    gone.close();
    // PATH directories that hold only some of the tools, to show which path each check takes.
    tools = mkdtempSync(join(tmpdir(), 'd502-health-'));
    for (const [dir, names] of [
      ['bash-only', ['sh', 'bash']],
      ['curl-only', ['sh', 'curl']],
      ['sh-only', ['sh']],
    ] as const) {
      linkTools(join(tools, dir), names);
    }
  });
  afterAll(() => {
    http.close();
    closer.close();
    resetter.close();
    silent.close();
    rmSync(tools, { recursive: true, force: true });
  });

  // Retried: in 3 of the last 4 full-suite runs on a loaded 2-core machine (never alone, 45 of 45), the
  // in-process reset server's RST came after the 3 s limit, so "reset" read as "timed out". Every
  // assertion still has to hold in one run; the cause is open (see the issue note).
  it('reads status codes over plain HTTP without curl, and failures in curl exit-code terms', {
    retry: 2,
  }, async () => {
    const stdin = stdinFor([
      service('app', `http://127.0.0.1:${port(http)}/healthz?deep=1`),
      service('down', `http://localhost:${port(http)}/down`),
      service('refused', `http://127.0.0.1:${refusedPort}/`),
      service('empty', `http://127.0.0.1:${port(closer)}/`),
      service('reset', `http://127.0.0.1:${port(resetter)}/`),
      service('nxdomain', 'http://no-such-host.invalid/healthz'),
      service('silent', `http://127.0.0.1:${port(silent)}/`),
    ]);
    expect(stdin).toContain(
      `app\thttp\t127.0.0.1\t${port(http)}\t/healthz?deep=1\t127.0.0.1:${port(http)}\n`,
    );
    // With no curl on PATH: plain-HTTP checks need only bash.
    const out = await runProbe(stdin, join(tools, 'bash-only'));
    const byName = new Map(parseHealth(out).map((h) => [h.name, h]));
    expect(byName.get('app')).toMatchObject({ curlExit: 0, status: 200 });
    expect(byName.get('app')?.timeS).toBeGreaterThan(0);
    expect(byName.get('down')).toMatchObject({ curlExit: 0, status: 503 });
    expect(curlError(byName.get('refused')?.curlExit ?? -1)).toBe('connection refused or unreachable');
    expect(curlError(byName.get('empty')?.curlExit ?? -1)).toBe('empty reply');
    expect(curlError(byName.get('reset')?.curlExit ?? -1)).toBe('connection reset while receiving');
    expect(curlError(byName.get('nxdomain')?.curlExit ?? -1)).toBe('could not resolve host');
    expect(byName.get('silent')).toMatchObject({ curlExit: 28, status: 0 });
    expect(byName.get('silent')?.timeS).toBeGreaterThanOrEqual(HEALTH_TIMEOUT_S - 0.1);
    expect(requests).toContain(`GET /healthz?deep=1 host=127.0.0.1:${port(http)}`);
    expect(requests).toContain(`GET /down host=localhost:${port(http)}`);
  });

  it('hands https and odd URLs to curl as one argument, and falls back to curl where bash is missing', async () => {
    const odd = stdinFor([
      service('tls', `https://127.0.0.1:${refusedPort}/healthz`),
      service('spaces', `http://127.0.0.1:${port(http)}/a b;$(touch /tmp/x)`),
    ]);
    expect(odd).toContain('tls\tcurl\thttps://');
    expect(odd).toContain('/a%20b;$(touch%20/tmp/x)');
    const byName = new Map(parseHealth(await runProbe(odd)).map((h) => [h.name, h]));
    expect(byName.get('tls')).toMatchObject({ curlExit: 7, status: 0 });
    expect(byName.get('spaces')).toMatchObject({ curlExit: 0, status: 200 });
    expect(requests).toContain(`GET /a%20b;$(touch%20/tmp/x) host=127.0.0.1:${port(http)}`);

    // No bash (BusyBox): curl checks the plain-HTTP URLs too.
    const plain = stdinFor([service('app', `http://127.0.0.1:${port(http)}/healthz`)]);
    const viaCurl = parseHealth(await runProbe(plain, join(tools, 'curl-only')));
    expect(viaCurl).toEqual([expect.objectContaining({ name: 'app', curlExit: 0, status: 200 })]);
    // Neither bash nor curl: no result, and no hang.
    expect(parseHealth(await runProbe(plain, join(tools, 'sh-only')))).toEqual([]);
  });
});
