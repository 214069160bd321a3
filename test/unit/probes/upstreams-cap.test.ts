import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNginxConfig } from '../../../src/parse/parse-nginx-config.js';
import type { PartOutcome } from '../../../src/probes/batch.js';
import { runBatch } from '../../../src/probes/batch.js';
import { parseUpstreams, probeableTargets, upstreamsProbe } from '../../../src/probes/defs/upstreams.js';
import { shRunner } from './local-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'd502-upstreams-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The cap the probe promises (MAX_PARALLEL_TARGETS in upstreams.ts). */
const CAP = 16;

const ctx = {
  host: { name: 'h', address: '127.0.0.1', nginx: { errorLog: '/e', accessLog: '/a' }, services: [] },
  sinceS: 900,
};

describe('upstream checks on a config with many targets (issue 15, low item)', () => {
  it(`checks at most ${CAP} targets at once, and every target all the same`, async () => {
    // Real upstreams on unix sockets that answer each request after 300 ms; they count how many
    // checks are connected at the same moment.
    const count = 64;
    let open = 0;
    let most = 0;
    const paths = Array.from({ length: count }, (_, i) => join(dir, `app-${i}.sock`));
    const servers = paths.map(() =>
      createServer((sock: Socket) => {
        open++;
        most = Math.max(most, open);
        sock.on('error', () => {});
        sock.resume();
        sock.on('close', () => open--);
        setTimeout(() => sock.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'), 300);
      }),
    );
    await Promise.all(servers.map((s, i) => new Promise<void>((r) => s.listen(paths[i], r))));
    try {
      // The config names one upstream with `count` servers.
      const serverLines = paths.map((p) => `    server unix:${p};`);
      const config = parseNginxConfig(
        `http {\n  upstream many {\n${serverLines.join('\n')}\n  }\n  server {\n    listen 80;\n    location / { proxy_pass http://many; }\n  }\n}\n`,
      );
      const { lines } = probeableTargets(config.targets);
      expect(lines).toHaveLength(count);
      let out: PartOutcome | undefined;
      await runBatch(shRunner(), { id: 'b', probes: [upstreamsProbe], timeoutMs: 20_000 }, ctx, {
        inputs: { upstreams: `\n${lines.map((l) => `${l}\n`).join('')}` },
        onPart: (o) => {
          out = o;
        },
      });
      expect(out?.ok, out && !out.ok ? out.reason : '').toBe(true);
      const results = parseUpstreams(out?.ok ? out.stdout : '', count);
      expect(results.every((r) => r.connectExit === 0)).toBe(true);
      expect(most).toBeGreaterThan(1);
      expect(most).toBeLessThanOrEqual(CAP);
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  });
});
