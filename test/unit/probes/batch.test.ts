import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_LINE_PATTERN, parseKernelLog } from '../../../src/parse/parse-kernel-log.js';
import type { PartOutcome } from '../../../src/probes/batch.js';
import { BatchSplitter, probeCommand, runBatch } from '../../../src/probes/batch.js';
import { CPU_SAMPLE_CS, parseSystem, systemProbe } from '../../../src/probes/defs/system.js';
import type { ProbeBatch, ProbeSpec } from '../../../src/probes/types.js';
import { linkTools, localRunner, shRunner } from './local-runner.js';

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

async function run(batch: ProbeBatch, inputs: Record<string, string | Promise<string>> = {}) {
  const outcomes: PartOutcome[] = [];
  const ended: string[] = [];
  await runBatch(localRunner, batch, ctx, {
    inputs,
    onPart: (o) => outcomes.push(o),
    onPartEnd: (id) => ended.push(id),
  });
  return {
    byId: new Map(outcomes.map((o) => [o.probe.id, o])),
    ended,
    order: outcomes.map((o) => o.probe.id),
  };
}

describe('probe batches on one channel (real sh)', () => {
  it('gives every probe exactly its own output, input and failure, as separate runs would', async () => {
    const later = new Promise<string>((resolve) => setTimeout(() => resolve('late one\nlate two\n'), 50));
    const { byId, ended } = await run(
      {
        id: 'b',
        timeoutMs: 5000,
        probes: [
          probe('plain', 'echo one; printf "no newline at the end"'),
          probe('input', 'while read -r l; do echo "got [$l]"; done', { stdin: () => 'a $(x) `y`\n\nb\n' }),
          // A line that looks like the end of a probe but lacks the nonce changes nothing.
          probe('fake', 'echo "__DONE_0000 fake 0"; echo still here'),
          probe('missing', 'definitely-not-a-command-d502'),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion in a probe script
          probe('bash', 'a=x; echo "${a//x/bash ok}"', { shell: 'bash' }),
          probe('runtime', 'cat', { runtimeInput: true }),
        ],
      },
      { runtime: later },
    );

    const ok = (id: string) => {
      const o = byId.get(id);
      if (!o?.ok) throw new Error(`${id}: ${o?.ok === false ? o.reason : 'missing'}`);
      return o.stdout;
    };
    expect(ok('plain')).toBe('one\nno newline at the end');
    expect(ok('input')).toBe('got [a $(x) `y`]\ngot []\ngot [b]\n');
    expect(ok('fake')).toBe('__DONE_0000 fake 0\nstill here\n');
    expect(ok('bash')).toBe('bash ok\n');
    expect(ok('runtime')).toBe('late one\nlate two\n');
    const missing = byId.get('missing');
    expect(missing?.ok).toBe(false);
    expect(missing?.ok === false && missing.reason).toMatch(/definitely-not-a-command-d502 is not installed/);
    expect(ended).toEqual(['plain', 'input', 'fake', 'missing', 'bash', 'runtime']);
  });

  it('runs consecutive bash probes in one bash, and their fallbacks or a clear failure where bash is missing', async () => {
    const bashProbes = [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash expansions in probe scripts
      probe('b1', 'read -r l; echo "b1 ${l^^} $BASHPID"', { shell: 'bash', stdin: () => 'one\n' }),
      probe('b2', 'read -r l; echo "b2 $l $BASHPID"', {
        shell: 'bash',
        stdin: () => 'two\n',
        fallback: 'read -r l; echo "b2 $l in sh"',
      }),
    ];
    const batch: ProbeBatch = {
      id: 'b',
      timeoutMs: 5000,
      probes: [
        probe('first', 'echo first'),
        ...bashProbes,
        probe('after', 'cat', { stdin: () => 'three\n' }),
      ],
    };
    const { byId } = await run(batch);
    const out = (id: string) => {
      const o = byId.get(id);
      return o?.ok ? o.stdout : `failed: ${o?.reason}`;
    };
    const [b1pid] = /\d+$/.exec(out('b1').trim()) ?? [];
    expect(out('b1')).toMatch(/^b1 ONE \d+\n$/);
    expect(out('b2')).toBe(`b2 two ${b1pid}\n`); // the same bash process
    expect(out('after')).toBe('three\n');

    // A PATH without bash: b2's POSIX fallback runs, b1 says bash is missing, inputs stay in step.
    const dir = mkdtempSync(join(tmpdir(), 'd502-nobash-'));
    try {
      linkTools(dir, ['sh', 'cat']);
      const outcomes = new Map<string, PartOutcome>();
      await runBatch(shRunner(dir), batch, ctx, { onPart: (o) => outcomes.set(o.probe.id, o) });
      const b1 = outcomes.get('b1');
      expect(b1?.ok === false && b1.reason).toMatch(/bash is not installed on the host/);
      expect(outcomes.get('b2')).toMatchObject({ ok: true, stdout: 'b2 two in sh\n' });
      expect(outcomes.get('after')).toMatchObject({ ok: true, stdout: 'three\n' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("bash probes do not run the user's ~/.bashrc, which Debian's bash reads for sshd's commands", async () => {
    const home = mkdtempSync(join(tmpdir(), 'd502-home-'));
    try {
      const hits = join(home, 'bashrc-ran');
      writeFileSync(join(home, '.bashrc'), `echo "$0" >> ${hits}; echo BANNER\n`);
      // What sshd sets for a command; the shell level is that of a first bash.
      const env = { HOME: home, SSH_CLIENT: '10.0.0.1 50000 22', SHLVL: '0' };
      // The stand-in reads its own ~/.bashrc under these conditions, so the check below can fail.
      execFileSync('bash', ['-c', 'true'], { env: { ...process.env, ...env } });
      expect(readFileSync(hits, 'utf8')).toBe('bash\n');
      rmSync(hits);
      const bashProbe = probe('b', 'echo "in bash $BASH_VERSION"', { shell: 'bash' });
      const batch: ProbeBatch = { id: 'x', probes: [probe('a', 'echo sh'), bashProbe], timeoutMs: 5000 };
      const outcomes = new Map<string, PartOutcome>();
      await runBatch(shRunner(undefined, env), batch, ctx, { onPart: (o) => outcomes.set(o.probe.id, o) });
      expect(outcomes.get('b')).toMatchObject({ ok: true, stdout: expect.stringMatching(/^in bash \d/) });
      const alone = await shRunner(undefined, env).run(probeCommand(bashProbe), {
        timeoutMs: 5000,
        maxBytes: 1000,
      });
      expect(alone.stdout).toMatch(/^in bash \d/);
      expect(existsSync(hits)).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('keeps what finished before a hang, names the probe that hung and those it kept from running', async () => {
    const { byId } = await run({
      id: 'b',
      timeoutMs: 700,
      probes: [probe('first', 'echo done'), probe('hangs', 'sleep 5'), probe('after', 'echo never')],
    });
    expect(byId.get('first')).toMatchObject({ ok: true, stdout: 'done\n' });
    expect(byId.get('hangs')).toMatchObject({ ok: false, reason: 'timed out after 700 ms' });
    expect(byId.get('after')).toMatchObject({
      ok: false,
      reason: 'not run: hangs on the same channel timed out after 700 ms',
    });
  });

  it('runs each start fragment once, before every probe, and a lone probe runs its own', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions
    const counter = '__starts=$((${__starts:-0} + 1)); __first=${__first:-$__starts}; ';
    const a = probe('a', 'echo "a $__starts $__first"', { start: [counter] });
    const b = probe('b', 'echo "b $__starts"', { start: [counter] });
    const { byId } = await run({ id: 'b', timeoutMs: 5000, probes: [a, b] });
    expect(byId.get('a')).toMatchObject({ ok: true, stdout: 'a 1 1\n' });
    expect(byId.get('b')).toMatchObject({ ok: true, stdout: 'b 1\n' });
    const alone = await localRunner.run(probeCommand(b), { timeoutMs: 5000, maxBytes: 1000 });
    expect(alone.stdout).toBe('b 1\n');
  });

  /** The two `__STAT` lines of a system probe: total and idle ticks of each, and `__OWNCPU`. */
  const sample = (out: string) => {
    const [s1, s2] = out
      .split('\n')
      .filter((l) => l.startsWith('__STAT '))
      .map((l) => l.split(/\s+/).slice(2, 10).map(Number));
    const sum = (xs: number[] = []) => xs.reduce((x, y) => x + y, 0);
    const idle = (xs: number[] = []) => (xs[3] ?? 0) + (xs[4] ?? 0);
    const own = Number(/^__OWNCPU (\d+)$/m.exec(out)?.[1] ?? Number.NaN);
    const ticks = sum(s2) - sum(s1);
    return { ticks, othersBusy: ticks - (idle(s2) - idle(s1)) - own, own };
  };
  const cpus = availableParallelism();
  const full = CPU_SAMPLE_CS * cpus * 0.8;

  it('the CPU sample waits for nothing when the CPUs are not busy, and spans its interval otherwise', async () => {
    for (const before of ['true', 'sleep 0.06', 'sleep 0.4']) {
      const { byId } = await run({
        id: 'b',
        timeoutMs: 5000,
        probes: [probe('before', before), systemProbe],
      });
      const sys = byId.get('system');
      expect(sys?.ok).toBe(true);
      const out = sys?.ok ? sys.stdout : '';
      const s = sample(out);
      expect(s.own).toBeGreaterThanOrEqual(0);
      // /proc/stat counts USER_HZ (100) ticks per CPU. A sample shorter than CPU_SAMPLE_CS is kept only
      // when it spans two ticks per CPU at least, and no process of the host but the batch's own used
      // CPU in it or the others' share is clearly under 50% (no rule looks at who uses the CPUs then).
      // This machine is shared with other tests, so either may happen here; a batch too short to tell
      // ('true') always gets the full interval.
      if (s.ticks < full) expect(s.ticks).toBeGreaterThanOrEqual(2 * cpus);
      if (before === 'true' || before === 'sleep 0.4') expect(s.ticks).toBeGreaterThanOrEqual(full);
      expect(parseSystem(out).cpuBusyPct).toBeTypeOf('number');
    }
  });

  it('on busy CPUs the CPU sample spans its full interval and names who used them', async () => {
    // Busy loops outside the batch: they are not the diagnosis's own programs, so they count as busy.
    const burners = Array.from({ length: cpus }, () =>
      spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }),
    );
    try {
      await new Promise((r) => setTimeout(r, 100));
      const { byId } = await run({
        id: 'b',
        timeoutMs: 5000,
        probes: [probe('before', 'true'), systemProbe],
      });
      const out = byId.get('system')?.ok ? (byId.get('system') as { stdout: string }).stdout : '';
      expect(sample(out).ticks).toBeGreaterThanOrEqual(full);
      const s = parseSystem(out);
      expect(s.cpuBusyPct).toBeGreaterThanOrEqual(50);
      const pids = new Set(burners.map((b) => b.pid));
      expect(s.busiest.some((p) => pids.has(p.pid))).toBe(true);
    } finally {
      for (const b of burners) b.kill('SIGKILL');
    }
  });

  it('the CPU sample survives a bad clock', async () => {
    for (const clock of ['', 'abc', '1.2.3', '0.05', '12a.34']) {
      const broken = probe('broken', `__u1='${clock}'; __o1='x'`);
      const { byId } = await run({
        id: 'b',
        timeoutMs: 5000,
        probes: [broken, systemProbe, probe('after', 'echo after')],
      });
      expect(byId.get('system')?.ok).toBe(true);
      expect(byId.get('after')).toMatchObject({ ok: true, stdout: 'after\n' });
    }
  });

  it('cuts a stream at any chunk boundary, multi-byte characters included', () => {
    const nonce = 'abc123';
    const text = `__PART_${nonce} x\nhé ✓\n\n__DONE_${nonce} x 0\n__PART_${nonce} y\n\n__DONE_${nonce} y 3\n`;
    const bytes = Buffer.from(text);
    for (let size = 1; size <= 7; size++) {
      const s = new BatchSplitter(nonce);
      const parts = [];
      for (let i = 0; i < bytes.length; i += size) parts.push(...s.push(bytes.subarray(i, i + size)));
      expect(parts).toEqual([
        { id: 'x', text: 'hé ✓\n', code: 0 },
        { id: 'y', text: '', code: 3 },
      ]);
    }
  });

  it('the host-side kernel-log filter keeps every line the parser reads', () => {
    const lines = [
      '2026-11-21T11:59:55,965781+00:00 Memory cgroup out of memory: Killed process 30832 (node) total-vm:1188648kB, anon-rss:169856kB',
      '2026-11-21T11:59:55,965000+00:00 oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,task=node,pid=30832,uid=0',
      '2026-11-21T11:59:55+00:00 Out of memory: Kill process 1234 (php-fpm8.2) score 912 or sacrifice child',
      '2026-11-21T11:59:56+00:00 gunicorn[4242]: segfault at 0 ip 00007f sp 00007ffd error 4 in libc.so.6',
      '2026-11-21T11:59:57+00:00 traps: node[77] general protection fault ip:55 sp:7ff error:0',
      '2026-11-21T11:59:58+00:00 TCP: request_sock_TCP: Possible SYN flooding on port 80. Sending cookies.',
      '2026-11-21T11:59:59+00:00 nf_conntrack: table full, dropping packet',
      '2026-11-21T12:00:00+00:00 TCP: too many orphaned sockets',
    ];
    const noise = '2026-11-21T12:00:01+00:00 d502br6: port 22(d502v6h212) entered forwarding state';
    const all = parseKernelLog([...lines, noise].join('\n'));
    const used = [...all.oomKills.map((k) => k.line), ...all.segfaults, ...all.other];
    expect(used.length).toBeGreaterThanOrEqual(6);
    const filter = new RegExp(KERNEL_LINE_PATTERN);
    for (const line of lines) expect(filter.test(line), line).toBe(true);
    expect(filter.test(noise)).toBe(false);
    expect(parseKernelLog(lines.filter((l) => filter.test(l)).join('\n'))).toEqual(all);
  });
});
