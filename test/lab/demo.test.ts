// `npm run demo`, as a newcomer runs it: a real lab comes up, web-1 is broken, the real diagnosis
// names the fault, and the lab is gone afterwards, also when the run is interrupted with Ctrl-C
// (SIGINT to the whole process group, as a terminal sends it). Refuses early without root or with
// a package missing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labConfig, lockPath, REPO_ROOT } from '../../lab/config.js';
import { run } from '../../lab/exec.js';
import { labSkipReason } from '../../lab/with-lab.js';

const FULL_RUN_ID = 54;
const INTERRUPTED_ID = 55;
const REFUSED_ID = 56;

interface DemoRun {
  code: number | null;
  /** npm ends itself with the signal its script died of (as shells expect): then code is null. */
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Runs `npm run demo -- <args>` in a process group of its own; `interrupt` sends SIGINT to that
 * group once the output matches `when`. Resolves when every process holding the output has exited.
 */
function runDemo(id: number, args: string[], interrupt?: { when: RegExp }): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'demo', '--', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, LAB_ID: String(id), LAB_DIR: '', NO_COLOR: '1' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let sent = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (interrupt && !sent && interrupt.when.test(output) && child.pid !== undefined) {
        sent = true;
        process.kill(-child.pid, 'SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

/** Whatever of lab `id` is still on the machine (namespaces, uplink, state dir, lock). */
async function leftovers(id: number): Promise<string[]> {
  const cfg = labConfig(id);
  const netns = (await run('ip', ['netns', 'list'])).stdout
    .split('\n')
    .filter((l) => l.startsWith(cfg.netnsPrefix));
  const uplink = (await run('ip', ['link', 'show', cfg.uplink], { allowFail: true })).code === 0;
  return [
    ...netns,
    ...(uplink ? [cfg.uplink] : []),
    ...[cfg.dir, lockPath(cfg)].filter((f) => existsSync(f)),
  ];
}

describe.skipIf(labSkipReason('test/lab/demo.test.ts') !== undefined)('npm run demo', () => {
  it('breaks web-1, shows the live checks and the report, says the verdict matches, and leaves nothing', async () => {
    const { code, output } = await runDemo(FULL_RUN_ID, []);
    expect(output).toContain(`fault socket-permission on web-1`);
    // The live lines as each check finishes, then the report with its verdict.
    expect(output).toMatch(/^ {2}✓ web-1 nginx-config +nginx -t ok/m);
    expect(output).toMatch(/^ {2}VERDICT socket-permission \(\d+%\)/m);
    expect(output).toMatch(
      /^broke web-1: php-fpm socket owned by root:root mode 0600; nginx workers run as www-data \(C05\); diagnose502 says socket-permission \(\d+%\): matches$/m,
    );
    expect(output).toContain(`lab ${FULL_RUN_ID}: torn down, nothing left behind`);
    expect(code, output).toBe(0);
    expect(await leftovers(FULL_RUN_ID)).toEqual([]);
  }, 240_000);

  it('tears the lab down on Ctrl-C in the middle of the run', async () => {
    const { code, signal, output } = await runDemo(INTERRUPTED_ID, ['app-down'], {
      when: /^broke web-1:/m,
    });
    expect(output).toContain('broke web-1: the Node app behind / is stopped');
    expect(output).toContain(`demo: SIGINT: tearing down lab ${INTERRUPTED_ID}`);
    expect(output).toContain(`lab ${INTERRUPTED_ID}: torn down, nothing left behind`);
    expect(output).not.toContain('diagnose502 says');
    expect(code === 130 || signal === 'SIGINT', `${output}\nexit ${code} ${signal}`).toBe(true);
    expect(await leftovers(INTERRUPTED_ID)).toEqual([]);
  }, 240_000);

  it('refuses before touching anything when not root, and says what to run', async () => {
    const r = await run(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx'].concat([
        path.join(REPO_ROOT, 'lab', 'demo.ts'),
      ]),
      { allowFail: true, env: { PATH: process.env.PATH, HOME: '/tmp', LAB_ID: String(REFUSED_ID) } },
    );
    expect(r.stderr).toContain('demo: cannot run: the lab needs root');
    expect(r.stderr).toContain('sudo npm run demo');
    expect(r.code).toBe(2);
    expect(await leftovers(REFUSED_ID)).toEqual([]);
  }, 60_000);

  it('refuses before touching anything when a Debian package is missing, with the apt-get line', async () => {
    // Hides two of the lab's programs in a mount namespace of this command only.
    const script =
      'mount --bind /dev/null /usr/bin/tini && mount --bind /dev/null /usr/sbin/nft && ' +
      `exec ${process.execPath} --import tsx ${path.join(REPO_ROOT, 'lab', 'demo.ts')}`;
    const r = await run('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', script], {
      allowFail: true,
      env: { ...process.env, LAB_ID: String(REFUSED_ID) },
    });
    expect(r.stderr).toContain(
      'demo: cannot run: missing /usr/bin/tini, /usr/sbin/nft: apt-get install -y tini nftables',
    );
    expect(r.code).toBe(2);
    expect(await leftovers(REFUSED_ID)).toEqual([]);
  }, 60_000);

  it('lists its faults and refuses an unknown one', async () => {
    const list = await runDemo(REFUSED_ID, ['--list']);
    expect(list.code).toBe(0);
    expect(list.output).toMatch(/^socket-permission +socket-permission +.*\(default\)$/m);
    expect(list.output).toMatch(/^app-down +upstream-down /m);
    const bad = await runDemo(REFUSED_ID, ['no-such-fault']);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('demo: unknown fault "no-such-fault"; choose one of: socket-permission');
  }, 60_000);
});
