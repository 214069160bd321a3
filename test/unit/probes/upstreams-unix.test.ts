// The unix-socket checks of the upstreams probe, run as the probe runs them (its script in the machine's
// sh and bash) against real sockets: one perl for every socket (owner, mode, connect, and whether the
// nginx worker user may connect, by opening the socket as that user), and, on a host without perl, the
// fallback (`stat`, `runuser`, `ss -lx`). Both must tell the same state for each socket.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamTarget } from '../../../src/parse/types.js';
import { type PartOutcome, runBatch } from '../../../src/probes/batch.js';
import { parseUpstreams, probeableTargets, upstreamsProbe } from '../../../src/probes/defs/upstreams.js';
import { targetState } from '../../../src/probes/target-state.js';
import { linkTools, shRunner } from './local-runner.js';

const gid = (group: string): number | undefined => {
  try {
    return Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]);
  } catch {
    return undefined;
  }
};
const WORKER_GID = gid('www-data');
const skip =
  process.getuid?.() !== 0
    ? 'needs root (the check drops to the worker user, as on a host where diagnose502 logs in as root)'
    : WORKER_GID === undefined
      ? 'no www-data user on this machine'
      : undefined;
if (skip) console.log(`upstreams-unix: skipped: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'd502-unix-'));
const servers: Server[] = [];
const path = (name: string) => join(dir, name);

/** A socket that listens, with this owner group and mode. */
async function socketAt(name: string, group: number, mode: number): Promise<void> {
  const server = createServer((s) => s.end());
  await new Promise<void>((resolve) => server.listen(path(name), resolve));
  servers.push(server);
  chownSync(path(name), 0, group);
  chmodSync(path(name), mode);
}

const target = (p: string): UpstreamTarget =>
  ({ kind: 'unix', path: p, via: ['proxy_pass'] }) as UpstreamTarget;

const TARGETS = {
  'root-only': target(path('root-only.sock')),
  'worker-group': target(path('worker-group.sock')),
  anyone: target(path('anyone.sock')),
  missing: target(path('missing.sock')),
  'not-a-socket': target(path('plain-file')),
};

async function check(runner: ReturnType<typeof shRunner>) {
  const targets = Object.values(TARGETS);
  const { lines, sent } = probeableTargets(targets);
  expect(sent).toHaveLength(targets.length);
  let out: PartOutcome | undefined;
  await runBatch(runner, { id: 'b', probes: [upstreamsProbe], timeoutMs: 20_000 }, ctx, {
    inputs: { upstreams: `www-data\n${lines.map((l) => `${l}\n`).join('')}` },
    onPart: (o) => {
      out = o;
    },
  });
  expect(out?.ok, out && !out.ok ? out.reason : '').toBe(true);
  const raw = parseUpstreams(out?.ok ? out.stdout : '', targets.length);
  return Object.fromEntries(Object.keys(TARGETS).map((name, i) => [name, raw[i]]));
}

const ctx = {
  host: { name: 'h', address: '127.0.0.1', nginx: { errorLog: '/e', accessLog: '/a' }, services: [] },
  sinceS: 900,
};

describe.skipIf(skip)('unix-socket upstream checks (real sockets, the worker user www-data)', () => {
  beforeAll(async () => {
    chmodSync(dir, 0o755);
    await socketAt('root-only.sock', 0, 0o600);
    await socketAt('worker-group.sock', WORKER_GID ?? 0, 0o660);
    await socketAt('anyone.sock', 0, 0o666);
    writeFileSync(path('plain-file'), '');
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('one perl: owner and mode, the connect, and whether the worker may connect', async () => {
    const r = await check(shRunner());
    expect(r['root-only']).toMatchObject({
      socket: { owner: 'root', group: 'root', mode: '600' },
      listening: true,
      connectExit: 0,
      workerMayWrite: false,
    });
    expect(r['worker-group']).toMatchObject({
      socket: { owner: 'root', group: 'www-data', mode: '660' },
      connectExit: 0,
      workerMayWrite: true,
    });
    expect(r.anyone).toMatchObject({ socket: { mode: '666' }, connectExit: 0, workerMayWrite: true });
    expect(r.missing).toMatchObject({ socket: 'missing', listening: false, workerMayWrite: false });
    expect(r.missing?.connectMessage).toContain('No such file or directory');
    expect(r['not-a-socket']).toMatchObject({ socket: 'notsocket', listening: false });
    const state = (name: keyof typeof TARGETS) => targetState(TARGETS[name], r[name]).state;
    expect(state('root-only')).toBe('denied');
    expect(state('worker-group')).toBe('open');
    expect(state('missing')).toBe('missing');
  });

  it('without perl on the host, stat, runuser and ss -lx give the same state for each socket', async () => {
    // A PATH with every program the script runs but perl (the prelude adds /usr/sbin and /sbin).
    const bin = linkTools(path('bin'), ['sh', 'bash', 'ss', 'stat', 'test', 'cat', 'getent']);
    const withPerl = await check(shRunner());
    const without = await check(shRunner(bin));
    for (const name of Object.keys(TARGETS) as (keyof typeof TARGETS)[]) {
      expect({ name, state: targetState(TARGETS[name], without[name]).state }).toEqual({
        name,
        state: targetState(TARGETS[name], withPerl[name]).state,
      });
      expect(without[name]?.socket, name).toEqual(withPerl[name]?.socket);
      expect(without[name]?.workerMayWrite, name).toEqual(withPerl[name]?.workerMayWrite);
    }
    expect(without['root-only']?.connectMessage).toContain('no perl on the host');
  });
});
