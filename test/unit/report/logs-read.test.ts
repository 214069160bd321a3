import { describe, expect, it } from 'vitest';
import { renderJson } from '../../../src/report/render-json.js';
import { renderHost } from '../../../src/report/render-terminal.js';
import type { HostReport } from '../../../src/report/types.js';

const host: HostReport = {
  host: 'web-1',
  address: '10.0.0.3',
  durationMs: 800,
  verdict: 'no-cause',
  notChecked: [],
  checks: [],
  findings: [],
  logsRead: [
    { path: '/var/log/nginx/error.log', kind: 'error', sites: [], read: true, upstreamErrors: 0 },
    {
      path: '/var/log/nginx/shop.error.log',
      kind: 'error',
      sites: ['shop.example.com'],
      read: true,
      upstreamErrors: 4,
    },
    {
      path: '/var/log/nginx/error.log.1.gz',
      kind: 'error',
      sites: [],
      read: true,
      rotatedFrom: '/var/log/nginx/error.log',
      upstreamErrors: 2,
    },
    {
      path: 'syslog:server=unix:/dev/log',
      kind: 'access',
      sites: ['blog.example.com'],
      read: false,
      why: 'sent to syslog (server=unix:/dev/log): read it on that syslog server or with journalctl -t nginx',
    },
  ],
};

describe('which logs were read, in the report (issue 18 item 1)', () => {
  it('the terminal lists every log, its sites, rotated ones and what was not read with what to do', () => {
    const text = renderHost(host, false);
    expect(text).toContain('read error /var/log/nginx/shop.error.log (shop.example.com)');
    expect(text).toContain('read error /var/log/nginx/error.log.1.gz, rotated from /var/log/nginx/error.log');
    expect(text).toContain('not read access syslog:server=unix:/dev/log (blog.example.com): sent to syslog');
  });

  it('the JSON carries them as a new field, the rest of the shape unchanged', () => {
    const json = JSON.parse(
      renderJson({ target: 'web-1', verdict: 'no-cause', sinceS: 900, startedAt: 'x', hosts: [host] }),
    );
    expect(Object.keys(json.hosts[0])).toEqual([
      'host',
      'address',
      'durationMs',
      'verdict',
      'notChecked',
      'checks',
      'findings',
      'logsRead',
    ]);
    expect(json.hosts[0].logsRead[2]).toMatchObject({
      rotatedFrom: '/var/log/nginx/error.log',
      upstreamErrors: 2,
    });
  });
});
