/**
 * Issue 15, item 9: on a `sudo: true` host every program run as root is one of the fixed command
 * lines `diagnose502 sudoers` allows. The whole probe set and the restart checks run here through a
 * recording `$D502_SUDO`; each command they hand to sudo must match a rule of the list.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failingRequestOnHost, fileSize, upstreamErrorsSince } from '../../../src/actions/checks.js';
import { HostFacts } from '../../../src/facts/host-facts.js';
import { parseInventory } from '../../../src/inventory/load-inventory.js';
import type { CheckResult } from '../../../src/probes/check.js';
import { collectHost } from '../../../src/probes/collect-host.js';
import { type PrivilegedCommand, privilegedCommands } from '../../../src/probes/privileged-commands.js';
import { sudoersFile } from '../../../src/probes/sudoers-file.js';
import { shRunner } from './local-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'd502-sudo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const appLog = join(dir, 'app.log');
const errorLog = join(dir, 'error.log');
writeFileSync(appLog, 'app line\n');
writeFileSync(errorLog, '');
const inventory = parseInventory(
  [
    'ssh: { user: diag, sudo: true, privateKeyPath: /k, knownHostsPath: /kh }',
    'hosts:',
    '  web-1:',
    '    address: 127.0.0.1',
    `    nginx: { errorLog: ${errorLog}, accessLog: ${join(dir, 'access.log')} }`,
    '    services:',
    `      - { name: app, unit: app.service, restart: systemctl restart app, logs: [${appLog}, { journal: app.service }] }`,
    '      - { name: bad, restart: "systemctl restart x; rm -rf /" }',
    '',
  ].join('\n'),
  '/inv/inventory.yml',
);
const hosts = [...inventory.hosts.values()];

/** Whether `argv` (as sudo received it) is allowed by one of `rules`. */
function allowed(argv: string[], rules: PrivilegedCommand[]): boolean {
  let i = 0;
  let runAs = 'root';
  while (argv[i]?.startsWith('-')) {
    if (argv[i] === '-u') runAs = argv[++i] ?? '';
    i++;
  }
  const [program = '', ...args] = argv.slice(i);
  const joined = args.join(' ');
  return rules.some(
    (r) =>
      r.program === program.replace(/^.*\//, '') &&
      (r.runAs === 'ALL' ? runAs !== 'root' : runAs === 'root') &&
      (r.args.startsWith('^') ? new RegExp(r.args).test(joined) : r.args === joined),
  );
}

describe('least privilege: the commands run under sudo', () => {
  it('every command the probes and the restart checks hand to sudo is one the sudoers file allows', async () => {
    // A stand-in for `sudo -n [-u USER]`: records what it is asked to run, then runs it.
    const log = join(dir, 'sudo.log');
    const recorder = join(dir, 'record-sudo');
    writeFileSync(
      recorder,
      `#!/bin/sh\nprintf '%s\\037' "$@" >> ${log}; echo >> ${log}\n` +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion in the stand-in script
        'while [ "${1#-}" != "$1" ]; do [ "$1" = -u ] && shift; shift; done\nexec "$@"\n',
    );
    chmodSync(recorder, 0o755);
    const runner = shRunner(undefined, { D502_SUDO: recorder });
    const facts = new HostFacts({ host: hosts[0] as (typeof hosts)[number], sinceS: 900 });
    const checks: CheckResult[] = [];
    await collectHost(runner, facts, { onCheck: (c) => checks.push(c) });
    await fileSize(runner, errorLog);
    await upstreamErrorsSince(runner, errorLog, 0);
    await failingRequestOnHost(runner, errorLog, '2026/12/07 14:02:11 [error] 1#1: *1 ');
    const calls = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\x1f').filter((x) => x !== ''));
    const programs = new Set(calls.map((c) => c.find((x, i) => !x.startsWith('-') && c[i - 1] !== '-u')));
    // The probes that need root did call it (nginx -T, ss -p, the logs, ...).
    for (const p of ['tail', 'nginx', 'ss', 'stat'])
      expect([...programs], JSON.stringify(calls)).toContain(p);
    const rules = privilegedCommands(hosts);
    expect(calls.filter((c) => !allowed(c, rules)).map((c) => c.join(' '))).toEqual([]);
    expect(checks.length).toBeGreaterThan(10);
  });

  it('prints a sudoers file visudo accepts, naming no shell and no command it cannot name narrowly', () => {
    const text = sudoersFile(inventory, hosts);
    expect(text).toMatch(/^diag ALL=\(root\) NOPASSWD: \/usr\/sbin\/nginx -v -T, /m);
    expect(text).toMatch(/^diag ALL=\(root\) NOPASSWD: \/usr\/sbin\/systemctl restart app, /m);
    expect(text).toContain('# not allowed: `systemctl restart x; rm -rf /` is not one program call');
    expect(text).not.toMatch(/NOPASSWD:.*\/(?:ba)?sh /);
    expect(text).not.toMatch(/NOPASSWD: ALL/);
    if (!existsSync('/usr/sbin/visudo')) {
      console.warn('[privileged-commands.test] visudo not installed: the file is not syntax-checked here');
      return;
    }
    const file = join(dir, 'diagnose502.sudoers');
    writeFileSync(file, text);
    expect(execFileSync('/usr/sbin/visudo', ['-cf', file]).toString()).toMatch(/parsed OK/);
  });
});
