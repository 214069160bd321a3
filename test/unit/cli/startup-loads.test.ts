import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RECORDER = fileURLToPath(new URL('./record-loads.mjs', import.meta.url));
/**
 * What the entry point may load before it knows a diagnosis must run: itself, the parser and the
 * code-cache loader (Node's own modules only).
 */
const ENTRY = ['src/cli/main.ts', 'src/cli/commands.ts', 'src/cli/compile-cache.ts', 'src/cli/parse-args.ts'];
/** tsx, which runs the sources here, and what it may load itself: not the CLI's doing. */
const TS_LOADER = /^node_modules\/(tsx|esbuild|@esbuild|get-tsconfig|resolve-pkg-maps)\//;

/** Runs the real entry point in its own process and returns what it printed and every module it resolved. */
function run(argv: string[]) {
  const file = join(mkdtempSync(join(tmpdir(), 'd502-loads-')), 'loads');
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', RECORDER, join(ROOT, 'src/cli/main.ts'), ...argv],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RECORD_LOADS_FILE: file }, timeout: 30_000 },
  );
  const loads = readFileSync(file, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file:'))
    .map((u) => fileURLToPath(u).slice(ROOT.length))
    .filter((f) => !TS_LOADER.test(f));
  return { code: r.status, out: r.stdout, err: r.stderr, loads };
}

describe('what the CLI loads before it runs a command', () => {
  it.each([
    [['--help'], 0, /^Usage: diagnose502/],
    [['--version'], 0, /^\d+\.\d+\.\d+\n$/],
    [[], 2, /name a host or a group/],
    [['web-1', '--bogus'], 2, /Unknown option '--bogus'/],
    [['web-1', '--since', '1y'], 2, /is not a duration/],
  ])('%j answers from the parser alone: no package, no SSH, no YAML, no rule engine', (argv, code, text) => {
    const r = run(argv);
    expect(r.code).toBe(code);
    expect(code === 0 ? r.out : r.err).toMatch(text);
    expect(r.loads.sort()).toEqual([...ENTRY].sort());
  });

  it('an inventory error answers before SSH and the rule engine load', () => {
    const r = run(['web-1', '--inventory', join(tmpdir(), 'd502-no-such-inventory.yml')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('does not exist');
    expect(r.loads).toContain('src/cli/run-cli.ts');
    expect(r.loads.some((f) => f.startsWith('node_modules/yaml/'))).toBe(true);
    expect(r.loads.filter((f) => f.startsWith('src/ssh/connect') || f.startsWith('src/diagnosis/'))).toEqual(
      [],
    );
  });

  it('a diagnosis loads SSH, the probes and the rules, and none of the Slack bot (Bolt, BullMQ, Redis, charts)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'd502-loads-inv-'));
    writeFileSync(join(dir, 'known_hosts'), '');
    writeFileSync(join(dir, 'id_ed25519'), '');
    // Port 1 on loopback refuses at once: a real "host unreachable" report, no lab needed.
    writeFileSync(
      join(dir, 'inventory.yml'),
      'ssh: { user: diag, privateKeyPath: ./id_ed25519, knownHostsPath: ./known_hosts }\nhosts:\n  web-1: { address: 127.0.0.1, ssh: { port: 1 } }\n',
    );
    const r = run(['web-1', '--inventory', join(dir, 'inventory.yml')]);
    expect(r.code).toBe(1);
    expect(r.loads).toContain('src/ssh/ssh2-client.ts');
    expect(r.loads).toContain('src/pipeline/diagnose-target.ts');
    expect(r.loads).toContain('src/diagnosis/diagnose.ts');
    const bot = /^node_modules\/(@slack|bullmq|ioredis|prom-client|pino|@resvg|undici)\//;
    expect(
      r.loads.filter((f) => bot.test(f) || f.startsWith('src/slack/') || f.startsWith('src/queue/')),
    ).toEqual([]);
  });
});
