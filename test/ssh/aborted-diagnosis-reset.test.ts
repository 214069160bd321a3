// A diagnosis aborted (Ctrl-C) while its host goes away (the demo tears the lab down), and a host
// whose sshd dies mid-diagnosis: against a real sshd, whose connection processes are SIGKILLed.
// Neither may leave a promise rejection nobody handles (the demo once died of an ssh2 error that
// way), and a host that dies mid-diagnosis still gets its report.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Connect } from '../../src/pipeline/diagnose-host.js';
import { diagnoseHost } from '../../src/pipeline/diagnose-host.js';
import type { ProbeHost } from '../../src/probes/types.js';
import type { HostReport } from '../../src/report/types.js';
import type { ConnectTarget } from '../../src/ssh/connect.js';
import { connectHost } from '../../src/ssh/connect.js';
import type { SshdFixture } from './sshd-harness.js';
import { sshdUnavailableReason, startSshd } from './sshd-harness.js';

const skipReason = sshdUnavailableReason();
if (skipReason !== undefined) console.warn(`[test/ssh] skipping aborted-diagnosis tests: ${skipReason}`);

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every process below `pid` (sshd's per-connection processes and the commands they run). */
function descendants(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  const children = r.stdout.split('\n').filter(Boolean).map(Number);
  return children.flatMap((child) => [child, ...descendants(child)]);
}

describe.skipIf(skipReason !== undefined)('an aborted diagnosis whose server dies', () => {
  let sshd: SshdFixture;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  /** The server side of every connection dies at once, as when a lab host's namespace goes. */
  const killConnections = () => {
    for (const pid of descendants(sshd.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const host = (logs = join(sshd.dir, 'no-such.log')): ProbeHost & ConnectTarget => ({
    name: 'lab',
    address: '127.0.0.1',
    ssh: {
      user: 'root',
      port: sshd.port,
      privateKeyPath: sshd.clientKey,
      knownHostsPath: sshd.knownHosts,
      connectTimeoutMs: 5000,
      sudo: false,
    },
    nginx: { errorLog: logs, accessLog: logs },
    services: [],
  });
  const connect =
    (target: ConnectTarget): Connect =>
    (_host, signal) =>
      connectHost(target, { signal });

  beforeAll(async () => {
    sshd = await startSshd();
    process.on('unhandledRejection', onRejection);
  });
  beforeEach(() => {
    rejections.length = 0;
  });
  afterAll(async () => {
    process.removeListener('unhandledRejection', onRejection);
    killConnections();
    await sshd?.stop();
  });

  it('settles at every abort point, from before the socket opens to mid-probe, with no unhandled rejection', async () => {
    // Event-loop turns reach into the key reads and the handshake; milliseconds reach the probes.
    const points = [
      ...Array.from({ length: 30 }, (_, turns) => ({ turns, ms: 0 })),
      ...[5, 10, 20, 40, 80, 160].map((ms) => ({ turns: 0, ms })),
    ];
    const outcomes: string[] = [];
    for (const { turns, ms } of points) {
      const target = host();
      const controller = new AbortController();
      const reason = new Error('interrupted');
      const diagnosis = diagnoseHost(target, connect(target), { sinceS: 60, signal: controller.signal });
      for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
      if (ms > 0) await settle(ms);
      controller.abort(reason);
      killConnections();
      const outcome = await diagnosis.then(
        (report) => report,
        (error: unknown) => error,
      );
      // Before the session is up the report says the connect was cancelled; after, the abort's own reason.
      if (outcome === reason) outcomes.push('aborted');
      else {
        expect((outcome as HostReport).host, String(outcome)).toBe('lab');
        outcomes.push('report');
      }
    }
    // Rejections of sockets closed by the kill arrive a little later.
    await settle(1000);
    expect(rejections).toEqual([]);
    // Both ends of the range were reached: aborts while connecting and aborts while probing.
    expect(outcomes).toContain('report');
    expect(outcomes).toContain('aborted');
  }, 60_000);

  it.each([
    ['while its probes run', 300],
    // error-log's own limit is 3 s: by then the watchdog's second channel is open as well.
    ['while the watchdog of a stuck probe runs', 3600],
  ])(
    'a host whose sshd dies %s still gets a report (inconclusive), with no unhandled rejection',
    async (_when, afterMs) => {
      // A FIFO nobody writes: reading the error log blocks, as on a stalled file system.
      const fifo = join(sshd.dir, `stuck-${afterMs}.log`);
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const target = host(fifo);
      const seen: string[] = [];
      const diagnosis = diagnoseHost(target, connect(target), {
        sinceS: 60,
        onProgress: (e) => {
          if (e.type === 'check') seen.push(e.check.id);
        },
      });
      while (!seen.includes('ssh')) await settle(20);
      await settle(afterMs);
      killConnections();
      const report = await diagnosis;
      expect(report.verdict).toBe('inconclusive');
      expect(report.notChecked.map((n) => n.check)).toContain('error-log');
      await settle(1000);
      expect(rejections).toEqual([]);
    },
    30_000,
  );
});
