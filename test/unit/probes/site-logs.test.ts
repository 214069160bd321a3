import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEvidence } from '../../../src/diagnosis/build-evidence.js';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import { logsRead } from '../../../src/diagnosis/logs-read.js';
import { HostFacts } from '../../../src/facts/host-facts.js';
import { CLOCK_START } from '../../../src/probes/defs/common.js';
import { errorLogProbe } from '../../../src/probes/defs/log-tail.js';
import { nginxConfigProbe } from '../../../src/probes/defs/nginx-config.js';
import { siteLogsProbe } from '../../../src/probes/defs/site-logs.js';
import { PROBE_BATCHES } from '../../../src/probes/probe-set.js';
import type { ProbeContext } from '../../../src/probes/types.js';
import { linkTools } from './local-runner.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** nginx's error-log time stamp (local time of this machine, as nginx writes it). */
function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const refused = (ms: number, server: string, port: number) =>
  `${stamp(ms)} [error] 2131#2131: *${ms % 1000} connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.7, server: ${server}, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:${port}/", host: "${server}"\n`;

/** Runs the probe's real script in this machine's sh, with the input the facts make (and this PATH). */
function runProbe(facts: HostFacts, path?: string): string {
  const r = spawnSync('sh', ['-c', `${CLOCK_START}${siteLogsProbe.script}`], {
    input: siteLogsProbe.input?.(facts) ?? '',
    encoding: 'utf8',
    ...(path === undefined ? {} : { env: { ...process.env, PATH: path } }),
  });
  return r.stdout;
}

function host(dir: string, site: string): { facts: HostFacts; ctx: ProbeContext } {
  const ctx: ProbeContext = {
    host: {
      name: 'web-3',
      address: '10.0.0.3',
      nginx: { errorLog: join(dir, 'error.log'), accessLog: join(dir, 'access.log') },
      services: [],
    },
    sinceS: 900,
  };
  const facts = new HostFacts(ctx);
  const dump = `nginx version: nginx/1.22.1\n# configuration file /etc/nginx/nginx.conf:\nerror_log ${dir}/error.log;\nhttp {\n access_log ${dir}/access.log;\n${site}\n}\n__EXIT 0\n`;
  facts.store(nginxConfigProbe, nginxConfigProbe.parse(dump, { truncated: false, view: facts }));
  const now = Math.floor(Date.now() / 1000);
  const offset = -new Date().getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = `${sign}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}${String(Math.abs(offset) % 60).padStart(2, '0')}`;
  const main = `__DATE ${now} ${zone}\n__TAIL\n`;
  facts.store(errorLogProbe, errorLogProbe.parse(main, { truncated: false, view: facts }));
  return { facts, ctx };
}

describe('site-logs: every log nginx writes, per site and rotated (issue 18 item 1)', () => {
  it('reads the per-site error log while the main one is silent, and names the site and the upstream', () => {
    const dir = mkdtempSync(join(tmpdir(), 'd502-site-logs-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'error.log'), '');
    writeFileSync(
      join(dir, 'shop.error.log'),
      refused(Date.now() - 60_000, 'shop.example.com', 8081).repeat(3),
    );
    const site = ` server {\n  server_name shop.example.com;\n  error_log ${dir}/shop.error.log;\n  access_log syslog:server=unix:/dev/log;\n  location / { proxy_pass http://127.0.0.1:8081; }\n }`;
    const { facts, ctx } = host(dir, site);
    facts.store(siteLogsProbe, siteLogsProbe.parse(runProbe(facts), { truncated: false, view: facts }));
    const ev = buildEvidence(facts);
    const fs = diagnose(ev);
    expect(fs[0]?.cause).toBe('upstream-down');
    expect(fs[0]?.evidence.join('\n')).toContain('server: shop.example.com');
    expect(fs[0]?.evidence.join('\n')).toContain('upstream: "http://127.0.0.1:8081/"');
    const logs = logsRead(ev, ctx.host.nginx);
    expect(
      logs.map((l) => [l.path, l.read, l.sites.join(' '), l.upstreamErrors ?? l.failures502 ?? null]),
    ).toEqual([
      [join(dir, 'error.log'), true, '', 0],
      [join(dir, 'access.log'), false, '', null],
      [join(dir, 'shop.error.log'), true, 'shop.example.com', 3],
      ['syslog:server=unix:/dev/log', false, 'shop.example.com', null],
    ]);
    expect(logs.find((l) => l.path.startsWith('syslog:'))?.why).toMatch(/read it on that syslog server/);
  });

  it('a log rotated inside the window: its .1 and .1.gz are read, an old predecessor is not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'd502-site-logs-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'error.log'), '');
    writeFileSync(join(dir, 'error.log.1'), refused(Date.now() - 120_000, 'shop.example.com', 8081));
    writeFileSync(join(dir, 'shop.error.log'), '');
    writeFileSync(
      join(dir, 'shop.error.log.1.gz'),
      gzipSync(refused(Date.now() - 90_000, 'shop.example.com', 8081)),
    );
    // Rotated yesterday: outside the window, not read.
    writeFileSync(join(dir, 'old.error.log'), '');
    writeFileSync(join(dir, 'old.error.log.1'), refused(Date.now() - 86_400_000, 'old.example.com', 9000));
    const day = Date.now() / 1000 - 86_400;
    utimesSync(join(dir, 'old.error.log.1'), day, day);
    const site = ` server {\n  server_name shop.example.com;\n  error_log ${dir}/shop.error.log;\n  location / { proxy_pass http://127.0.0.1:8081; }\n }\n server {\n  server_name old.example.com;\n  error_log ${dir}/old.error.log;\n }`;
    const { facts, ctx } = host(dir, site);
    facts.store(siteLogsProbe, siteLogsProbe.parse(runProbe(facts), { truncated: false, view: facts }));
    const ev = buildEvidence(facts);
    expect(diagnose(ev)[0]?.cause).toBe('upstream-down');
    const logs = logsRead(ev, ctx.host.nginx);
    expect(logs.filter((l) => l.rotatedFrom).map((l) => [l.path, l.rotatedFrom, l.upstreamErrors])).toEqual([
      [join(dir, 'shop.error.log.1.gz'), join(dir, 'shop.error.log'), 1],
      [join(dir, 'error.log.1'), join(dir, 'error.log'), 1],
    ]);
    expect(logs.some((l) => l.path.includes('old.error.log.1'))).toBe(false);
  });

  it('a log line that looks like a marker stays a line of that log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'd502-site-logs-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'error.log'), '');
    writeFileSync(join(dir, 'shop.error.log'), '__FILE /etc/shadow\n__MISSING\n__END\n');
    const { facts } = host(
      dir,
      ` server {\n  server_name shop.example.com;\n  error_log ${dir}/shop.error.log;\n }`,
    );
    const read = siteLogsProbe.parse(runProbe(facts), { truncated: false, view: facts });
    expect(read.sections.map((s) => [s.path, s.state])).toEqual([[join(dir, 'shop.error.log'), 'ok']]);
    expect(read.sections[0]?.text).toBe('__FILE /etc/shadow\n__MISSING\n__END');
  });
});

describe('the batch order lets every run-time input arrive', () => {
  it('no probe reads its run-time input before every run-time input can be made (batch.ts sends them together)', () => {
    // Seen in the lab: site-logs right after nginx-config waited for its input, which was sent only
    // with nginx-fds' input, made after processes, which ran after site-logs: the batch hung.
    for (const batch of PROBE_BATCHES) {
      const ids: string[] = batch.probes.map((p) => p.id);
      const needed = batch.probes.flatMap((p) =>
        ('inputAfter' in p ? (p.inputAfter ?? []) : []).map((q) => q.id),
      );
      const lastNeeded = Math.max(...needed.map((id) => ids.indexOf(id)));
      for (const [i, p] of batch.probes.entries()) {
        if ('runtimeInput' in p && p.runtimeInput) expect(i, p.id).toBeGreaterThan(lastNeeded);
      }
    }
  });
});

describe('site-logs: the rotated chain, whatever the naming (issue 18 item 1)', () => {
  const S = 1000;
  /** Writes a file whose mtime is `ageS` ago. */
  function put(dir: string, name: string, body: string | Buffer, ageS: number): void {
    writeFileSync(join(dir, name), body);
    const t = Date.now() / S - ageS;
    utimesSync(join(dir, name), t, t);
  }
  const notice = (ms: number) => `${stamp(ms)} [notice] 2131#2131: signal process started\n`;
  const rotatedRead = (facts: HostFacts, ctx: ProbeContext, path?: string) => {
    facts.store(siteLogsProbe, siteLogsProbe.parse(runProbe(facts, path), { truncated: false, view: facts }));
    const ev = buildEvidence(facts);
    return { ev, logs: logsRead(ev, ctx.host.nginx).filter((l) => l.rotatedFrom) };
  };

  it('dateext + compress, rotated twice in the window: both .gz read newest first, the older day not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'd502-site-logs-'));
    dirs.push(dir);
    const now = Date.now();
    put(dir, 'error.log', '', 0);
    put(dir, 'error.log-20261207.gz', gzipSync(notice(now - 300_000)), 100);
    put(
      dir,
      'error.log-20261206.gz',
      gzipSync(notice(now - 1_200_000) + refused(now - 600_000, 'a', 8081)),
      400,
    );
    put(dir, 'error.log-20261205.gz', gzipSync(refused(now - 90_000_000, 'a', 8081)), 86_400);
    const { facts, ctx } = host(dir, '');
    const { ev, logs } = rotatedRead(facts, ctx);
    expect(diagnose(ev)[0]?.cause).toBe('upstream-down');
    expect(logs.map((l) => [l.path.slice(dir.length + 1), l.read, l.upstreamErrors])).toEqual([
      ['error.log-20261207.gz', true, 0],
      ['error.log-20261206.gz', true, 1],
    ]);
  });

  it('delaycompress: .1 plain and .2.gz, per-site log; .3.gz rotated before the window is not read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'd502-site-logs-'));
    dirs.push(dir);
    const now = Date.now();
    put(dir, 'error.log', '', 0);
    put(dir, 'shop.error.log', '', 0);
    put(dir, 'shop.error.log.1', refused(now - 120_000, 'shop', 8081), 60);
    put(
      dir,
      'shop.error.log.2.gz',
      gzipSync(notice(now - 1_000_000) + refused(now - 500_000, 'shop', 8081)),
      300,
    );
    put(dir, 'shop.error.log.3.gz', gzipSync(refused(now - 5_000_000, 'shop', 8081)), 2_000);
    const site = ` server {\n  server_name shop;\n  error_log ${dir}/shop.error.log;\n }`;
    const { facts, ctx } = host(dir, site);
    const { logs } = rotatedRead(facts, ctx);
    expect(logs.map((l) => [l.path.slice(dir.length + 1), l.sites, l.upstreamErrors])).toEqual([
      ['shop.error.log.1', ['shop'], 1],
      ['shop.error.log.2.gz', ['shop'], 1],
    ]);
  });

  it('another compresscmd: .xz, .bz2 and .zst are read by their tools; without the tool, named as not read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'd502-site-logs-'));
    dirs.push(dir);
    const now = Date.now();
    const compress = (tool: string, text: string) => execFileSync(tool, ['-c'], { input: text });
    put(dir, 'error.log', '', 0);
    put(dir, 'error.log.1', notice(now - 100_000), 50);
    put(dir, 'error.log.2.xz', compress('xz', refused(now - 200_000, 'a', 8081)), 150);
    put(dir, 'error.log.3.bz2', compress('bzip2', refused(now - 300_000, 'a', 8082)), 250);
    put(
      dir,
      'error.log.4.zst',
      compress('zstd', notice(now - 1_000_000) + refused(now - 400_000, 'a', 8083)),
      350,
    );
    const { facts, ctx } = host(dir, '');
    const { ev, logs } = rotatedRead(facts, ctx);
    expect(diagnose(ev)[0]?.cause).toBe('upstream-down');
    expect(logs.map((l) => [l.path.slice(dir.length + 1), l.read, l.upstreamErrors])).toEqual([
      ['error.log.1', true, 0],
      ['error.log.2.xz', true, 1],
      ['error.log.3.bz2', true, 1],
      ['error.log.4.zst', true, 1],
    ]);

    // A host without xz: every program the script runs but xz.
    const bin = linkTools(join(dir, 'bin'), [
      'sh',
      'tail',
      'sed',
      'stat',
      'sort',
      'head',
      'date',
      'cat',
      'bzip2',
      'zstd',
    ]);
    const { facts: again, ctx: ctx2 } = host(dir, '');
    const without = rotatedRead(again, ctx2, bin).logs;
    expect(without.map((l) => [l.path.slice(dir.length + 1), l.read])).toEqual([
      ['error.log.1', true],
      ['error.log.2.xz', false],
      ['error.log.3.bz2', true],
      ['error.log.4.zst', true],
    ]);
    expect(without[1]?.why).toBe(
      'compressed, and the host has no xz: install xz-utils there, or read it by hand',
    );
  });

  it('a hostile name in the log directory is neither run nor followed, and no file is read twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'd502-site-logs-'));
    dirs.push(dir);
    const now = Date.now();
    put(dir, 'error.log', '', 0);
    put(dir, 'error.log.1', refused(now - 60_000, 'a', 8081), 30);
    // A name can hold no `/`: the newline makes a line of its own, a relative path.
    put(dir, 'error.log.1\n4102444800 secret', 'x', 20);
    put(dir, 'error.log.2 $(touch pwned)`touch pwned`', refused(now - 70_000, 'a', 8081), 40);
    put(dir, 'secret', refused(now - 80_000, 'a', 8081), 10);
    const { facts, ctx } = host(dir, '');
    const { logs } = rotatedRead(facts, ctx);
    expect(logs.map((l) => [l.path.slice(dir.length + 1), l.upstreamErrors])).toEqual([['error.log.1', 1]]);
    expect(existsSync(join(dir, 'pwned')) || existsSync('pwned')).toBe(false);
  });

  it('bounded: 5 rotated files per log, the next one written in the window is named as not read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'd502-site-logs-'));
    dirs.push(dir);
    const now = Date.now();
    put(dir, 'error.log', '', 0);
    for (let i = 1; i <= 7; i++)
      put(dir, `error.log.${i}.gz`, gzipSync(refused(now - i * 100_000 - 50_000, 'a', 8081)), i * 100);
    const { facts, ctx } = host(dir, '');
    const { logs } = rotatedRead(facts, ctx);
    expect(logs.map((l) => [l.path.slice(dir.length + 1), l.read])).toEqual([
      ['error.log.1.gz', true],
      ['error.log.2.gz', true],
      ['error.log.3.gz', true],
      ['error.log.4.gz', true],
      ['error.log.5.gz', true],
      ['error.log.6.gz', false],
    ]);
    expect(logs.at(-1)?.why).toMatch(/at most 5 rotated files/);
  });
});
