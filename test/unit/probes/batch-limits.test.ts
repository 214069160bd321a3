/**
 * Each probe's own time limit inside a batch, with real hangs on the machine's real sh: a read of a
 * FIFO that has no writer blocks in open(2) exactly as a log on a stalled file system does.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostFacts } from '../../../src/facts/host-facts.js';
import type { PartOutcome } from '../../../src/probes/batch.js';
import { runBatch, watchdogCommand } from '../../../src/probes/batch.js';
import {
  HEALTH_TIMEOUT_S,
  healthProbe,
  healthStdin,
  parseHealth,
  parseHealthSkipped,
} from '../../../src/probes/defs/health.js';
import type { ProbeBatch, ProbeSpec } from '../../../src/probes/types.js';
import { localRunner, shRunner } from './local-runner.js';

const probe = (id: string, script: string, extra: Partial<ProbeSpec> = {}): ProbeSpec => ({
  id,
  title: id,
  script,
  privileged: false,
  maxBytes: 10_000,
  ...extra,
});

const ctx = {
  host: { name: 'h', address: '127.0.0.1', nginx: { errorLog: '/e', accessLog: '/a' }, services: [] },
  sinceS: 900,
};

const dir = mkdtempSync(join(tmpdir(), 'd502-limits-'));
const fifo = join(dir, 'stalled.log');
execFileSync('mkfifo', [fifo]);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(batch: ProbeBatch, runner = localRunner) {
  const outcomes: PartOutcome[] = [];
  const t0 = performance.now();
  await runBatch(runner, batch, ctx, { onPart: (o) => outcomes.push(o) });
  return {
    byId: new Map(outcomes.map((o) => [o.probe.id, o])),
    elapsedMs: performance.now() - t0,
  };
}

/** A PATH of BusyBox applets only (no coreutils, no bash): the watchdog needs sh, grep and sleep. */
function busyboxPath(): string | undefined {
  let busybox: string;
  try {
    busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
  } catch {
    console.warn(
      'test/unit/probes/batch-limits: BusyBox case skipped: busybox is not installed (apt-get install busybox)',
    );
    return undefined;
  }
  const bin = join(dir, 'busybox-bin');
  mkdirSync(bin);
  for (const applet of ['sh', 'grep', 'sleep', 'tail', 'cat']) symlinkSync(busybox, join(bin, applet));
  return bin;
}
const BUSYBOX = busyboxPath();

/** No process of this test's probes may outlive the batch (the watchdog kills by the probe's tag). */
function leftovers(): string {
  try {
    return execFileSync('pgrep', ['-af', fifo], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

describe('per-probe time limits inside a batch (real sh, real hangs)', () => {
  it('a probe stuck on a stalled read times out alone; the probes after it still run', async () => {
    const { byId, elapsedMs } = await run({
      id: 'b',
      timeoutMs: 10_000,
      probes: [
        probe('before', 'echo before'),
        probe('stuck', 'echo __TAIL; tail -c 100 -- "$f"', { timeoutMs: 600, stdin: () => `${fifo}\n` }),
        // Longer than the watchdog's interval: the watchdog of `stuck` must not touch it.
        probe('after', 'sleep 0.5; echo after'),
      ].map((p) => (p.id === 'stuck' ? { ...p, script: `read -r f; ${p.script}` } : p)),
    });
    expect(byId.get('before')).toMatchObject({ ok: true, stdout: 'before\n' });
    expect(byId.get('stuck')).toMatchObject({ ok: false, reason: 'timed out after 0.6 s' });
    expect(byId.get('after')).toMatchObject({ ok: true, stdout: 'after\n' });
    // Generous: the limit (0.6 s) + the watchdog's start + `after` (0.5 s), far below the batch's 10 s.
    expect(elapsedMs).toBeLessThan(5_000);
    expect(leftovers()).toBe('');
  });

  it('stops every program the stuck probe starts after the first, and bash probes alike', async () => {
    const { byId } = await run({
      id: 'b',
      timeoutMs: 10_000,
      probes: [
        probe('two-hangs', `cat ${fifo}; cat ${fifo}; echo got past both`, { timeoutMs: 500 }),
        probe('bash-hang', `cat ${fifo}`, { shell: 'bash', timeoutMs: 500 }),
        probe('bash-after', 'echo "bash $((1 + 1))"', { shell: 'bash' }),
        probe('last', 'echo last'),
      ],
    });
    expect(byId.get('two-hangs')).toMatchObject({ ok: false, reason: 'timed out after 0.5 s' });
    expect(byId.get('bash-hang')).toMatchObject({ ok: false, reason: 'timed out after 0.5 s' });
    expect(byId.get('bash-after')).toMatchObject({ ok: true, stdout: 'bash 2\n' });
    expect(byId.get('last')).toMatchObject({ ok: true, stdout: 'last\n' });
    expect(leftovers()).toBe('');
  });

  it("a probe stuck inside the shell's own builtin is left to the batch's limit, and says so", async () => {
    const { byId, elapsedMs } = await run({
      id: 'b',
      timeoutMs: 1_500,
      probes: [
        probe('first', 'echo first'),
        // `read` is a builtin: opening the FIFO blocks the batch's shell itself, no tagged program.
        probe('builtin', `read -r x < ${fifo}`, { timeoutMs: 400 }),
        probe('after', 'echo never'),
      ],
    });
    expect(byId.get('first')).toMatchObject({ ok: true });
    expect(byId.get('builtin')).toMatchObject({
      ok: false,
      reason: 'timed out after 0.4 s and could not be stopped (timed out after 1500 ms)',
    });
    expect(byId.get('after')).toMatchObject({
      ok: false,
      reason: 'not run: builtin on the same channel timed out after 0.4 s and could not be stopped',
    });
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('health checks that never answer: the first ones spend the budget, the rest are named as not checked', async () => {
    // Accepts every connection and never writes a byte.
    const silent = createServer((s) => s.resume()).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/healthz`;
      const services = ['a', 'b', 'c'].map((name) => ({ name, health: url, logs: [] }));
      const stdin = healthStdin({ ...ctx, host: { ...ctx.host, services } });
      const { byId, elapsedMs } = await run({
        id: 'b',
        timeoutMs: 20_000,
        probes: [probe('sh', 'true'), { ...healthProbe, stdin: () => stdin }, probe('after', 'echo after')],
      });
      const out = byId.get('app-health');
      if (!out?.ok) throw new Error(`app-health: ${JSON.stringify(out)}`);
      expect(parseHealth(out.stdout)).toMatchObject([{ name: 'a', curlExit: 28 }]);
      expect(parseHealthSkipped(out.stdout)).toEqual(['b', 'c']);
      const facts = new HostFacts(ctx);
      expect(
        healthProbe.check(healthProbe.parse(out.stdout, { truncated: false, view: facts }), facts),
      ).toEqual({
        status: 'fail',
        summary: 'unhealthy: a (timed out); not checked (out of time after the ones before): b, c',
      });
      expect(byId.get('after')).toMatchObject({ ok: true, stdout: 'after\n' });
      expect(elapsedMs).toBeLessThan((2 * HEALTH_TIMEOUT_S + 1) * 1000);
    } finally {
      silent.close();
    }
  });

  it('the watchdog ends on its own after its rounds, and refuses input that is not a tag', async () => {
    const t0 = performance.now();
    const ran = await localRunner.run(watchdogCommand(), {
      timeoutMs: 10_000,
      maxBytes: 100,
      stdin: '0a1b.x. 3\n',
    });
    expect(ran).toMatchObject({ code: 0, timedOut: false });
    expect(performance.now() - t0).toBeLessThan(5_000);
    for (const bad of ['0a1b.x.;reboot 3\n', '0a1b.x. 3x\n', '\n']) {
      expect(
        (await localRunner.run(watchdogCommand(), { timeoutMs: 5_000, maxBytes: 100, stdin: bad })).code,
      ).toBe(3);
    }
  });

  it.skipIf(BUSYBOX === undefined)(
    'the same on a BusyBox host (no coreutils, no timeout, no bash)',
    async () => {
      const { byId, elapsedMs } = await run(
        {
          id: 'b',
          timeoutMs: 10_000,
          probes: [
            probe('stuck', `echo __TAIL; tail -c 100 ${fifo}`, { timeoutMs: 600 }),
            probe('bash-only', 'echo never', { shell: 'bash', fallback: 'echo "fallback ran"' }),
            probe('after', 'sleep 0.5; echo after'),
          ],
        },
        shRunner(BUSYBOX),
      );
      expect(byId.get('stuck')).toMatchObject({ ok: false, reason: 'timed out after 0.6 s' });
      expect(byId.get('bash-only')).toMatchObject({ ok: true, stdout: 'fallback ran\n' });
      expect(byId.get('after')).toMatchObject({ ok: true, stdout: 'after\n' });
      expect(elapsedMs).toBeLessThan(5_000);
      expect(leftovers()).toBe('');
    },
  );
});
