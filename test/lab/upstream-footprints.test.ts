// The upstream checks leave no footprints: run the probe's own script against a real php-fpm (unix socket
// and TCP) and a real uwsgi (unix socket), and read what each server logged while it ran. Before, the
// unix-socket check sent `GET / HTTP/1.1` into both: uwsgi logged `invalid request block size: 21573
// (max 4096)...skip`, which the diagnosis read as request-too-large at 93%.
// Run under the lab lock: flock /tmp/d502-lab.lock npx vitest run test/lab/upstream-footprints.test.ts
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppLog } from '../../src/parse/parse-app-log.js';
import { bashScript } from '../../src/probes/defs/common.js';
import { parseUpstreams, probeableTargets, upstreamsProbe } from '../../src/probes/defs/upstreams.js';
import { targetState } from '../../src/probes/target-state.js';

const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
};
const FPM = ['php-fpm8.2', 'php-fpm'].find(has);
const skip = !FPM
  ? 'php-fpm is not installed (apt-get install php-fpm)'
  : !has('uwsgi')
    ? 'uwsgi is not installed (apt-get install uwsgi-core uwsgi-plugin-python3)'
    : process.getuid?.() !== 0
      ? 'needs root (php-fpm drops to www-data)'
      : undefined;
if (skip) console.log(`upstream-footprints: skipped: ${skip}`);

const dir = mkdtempSync(path.join(tmpdir(), 'd502-footprints-'));
const children: ChildProcess[] = [];
const FPM_PORT = 19_431;

async function waitForFile(p: string): Promise<void> {
  for (let i = 0; i < 100 && !existsSync(p); i++) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(p)) throw new Error(`${p} did not appear: see the server's log in ${dir}`);
}

function runProbe(stdin: string): string {
  return execFileSync('sh', ['-c', bashScript(upstreamsProbe.script)], { input: stdin, encoding: 'utf8' });
}

describe.skipIf(skip)('upstream checks leave no footprints (real php-fpm and uwsgi)', () => {
  beforeAll(async () => {
    writeFileSync(
      path.join(dir, 'fpm.conf'),
      `[global]\nerror_log = ${dir}/fpm.log\ndaemonize = no\n` +
        `[sock]\nuser = www-data\nlisten = ${dir}/fpm.sock\nlisten.mode = 0666\npm = static\npm.max_children = 1\n` +
        `[tcp]\nuser = www-data\nlisten = 127.0.0.1:${FPM_PORT}\npm = static\npm.max_children = 1\n`,
    );
    writeFileSync(
      path.join(dir, 'app.py'),
      "def application(env, start_response):\n    start_response('200 OK', [])\n    return [b'ok']\n",
    );
    children.push(spawn(FPM as string, ['-y', `${dir}/fpm.conf`, '-n', '-R'], { stdio: 'ignore' }));
    children.push(
      spawn(
        'uwsgi',
        ['--plugin', 'python3', '--socket', `${dir}/u.sock`, '--wsgi-file', `${dir}/app.py`, '--master'],
        { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, UWSGI_LOGTO: `${dir}/u.log` } },
      ),
    );
    await waitForFile(`${dir}/fpm.sock`);
    await waitForFile(`${dir}/u.sock`);
    await new Promise((r) => setTimeout(r, 500));
  });
  afterAll(() => {
    // uwsgi reloads on SIGTERM; SIGINT stops it.
    for (const c of children) c.kill('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  it('checks FastCGI with FCGI_GET_VALUES and uwsgi with a bare connect; neither server logs a line', () => {
    const targets = [
      { kind: 'unix' as const, path: `${dir}/fpm.sock`, scheme: 'fastcgi', via: ['fastcgi_pass'] },
      { kind: 'tcp' as const, host: '127.0.0.1', port: FPM_PORT, scheme: 'fastcgi', via: ['fastcgi_pass'] },
      { kind: 'unix' as const, path: `${dir}/u.sock`, scheme: 'uwsgi', via: ['uwsgi_pass'] },
    ];
    const fpmBefore = readFileSync(`${dir}/fpm.log`, 'utf8');
    const uwsgiBefore = readFileSync(`${dir}/u.log`, 'utf8');
    const { lines } = probeableTargets(targets);
    const out = runProbe(`root\n${lines.join('\n')}\n`);
    const raw = parseUpstreams(out, targets.length);
    const states = targets.map((t, i) => targetState(t, raw[i]));
    expect(
      states.map((s) => s.state),
      out,
    ).toEqual(['open', 'open', 'open']);
    expect(raw[0]?.fastcgiAnswered, out).toBe(true);
    expect(raw[1]?.fastcgiAnswered, out).toBe(true);
    expect(raw[2]?.fastcgiAnswered).toBeUndefined();
    expect(readFileSync(`${dir}/fpm.log`, 'utf8')).toBe(fpmBefore);
    const uwsgiNew = readFileSync(`${dir}/u.log`, 'utf8').slice(uwsgiBefore.length);
    expect(uwsgiNew).not.toMatch(/invalid request block size|error/i);
  });

  it("reads uwsgi's line for an HTTP request (what the old check caused) as no evidence", async () => {
    const before = readFileSync(`${dir}/u.log`, 'utf8').length;
    spawnSync('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '--max-time',
      '2',
      '--unix-socket',
      `${dir}/u.sock`,
      'http://localhost/',
    ]);
    await new Promise((r) => setTimeout(r, 300));
    const added = readFileSync(`${dir}/u.log`, 'utf8').slice(before);
    expect(added).toMatch(/invalid request block size: 21573 \(max 4096\)/);
    expect(parseAppLog('uwsgi', added)).toEqual([]);
    // A real oversized request is still read as one.
    expect(parseAppLog('uwsgi', 'invalid request block size: 5292 (max 4096)...skip\n')).toHaveLength(1);
  });
});
