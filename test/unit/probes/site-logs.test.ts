import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

/** Runs the probe's real script in this machine's sh, with the input the facts make. */
function runProbe(facts: HostFacts): string {
  const r = spawnSync('sh', ['-c', `${CLOCK_START}${siteLogsProbe.script}`], {
    input: siteLogsProbe.input?.(facts) ?? '',
    encoding: 'utf8',
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
