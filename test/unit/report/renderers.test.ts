import { describe, expect, it } from 'vitest';
import { renderJson } from '../../../src/report/render-json.js';
import { renderCheckLine, renderTerminal } from '../../../src/report/render-terminal.js';
import type { TargetReport } from '../../../src/report/types.js';

const report: TargetReport = {
  target: 'web-3',
  verdict: 'cause-found',
  sinceS: 900,
  startedAt: '2026-11-21T10:52:04.000Z',
  hosts: [
    {
      host: 'web-3',
      address: '10.0.0.13',
      durationMs: 812,
      verdict: 'cause-found',
      notChecked: [],
      checks: [
        { id: 'ssh', status: 'ok', summary: 'connected to 10.0.0.13', durationMs: 40 },
        {
          id: 'upstreams',
          status: 'fail',
          summary: 'nothing listens on 127.0.0.1:8081 (connection refused)',
          durationMs: 12,
        },
      ],
      findings: [
        {
          cause: 'upstream-down',
          confidence: 0.95,
          title: 'Nothing listens on 127.0.0.1:8081 (upstream app_backend): the app is down',
          evidence: [
            '2026/11/21 10:52:04 [error] 6#6: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.88.0.1, server: _, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "web-3"',
          ],
          remediation: ['Start the app: systemctl restart app.service'],
          actions: [{ id: 'restart-service:app', kind: 'safe', label: 'Restart app' }],
        },
        {
          cause: 'no-live-upstreams',
          confidence: 0.5,
          title: 'Every peer of app_backend was marked failed',
          evidence: [],
          remediation: [],
          actions: [],
        },
      ],
    },
  ],
};

describe('renderers', () => {
  it('prints the verdict first, then evidence, what to do and actions, without colour off a TTY', () => {
    const text = renderTerminal(report, false);
    expect(text.includes('\u001b[')).toBe(false);
    const order = [
      'VERDICT upstream-down (95%)',
      'Evidence',
      'connect() failed (111',
      'What to do',
      '1. Start the app',
      'Actions',
      '[safe] Restart app',
      'Also found',
      'no-live-upstreams',
      'Checks',
    ];
    let at = -1;
    for (const piece of order) {
      const i = text.indexOf(piece, at + 1);
      expect(i, piece).toBeGreaterThan(at);
      at = i;
    }
    expect(text).toContain('1 of 1 host with a 502/504 cause');
  });

  it('colours only when asked', () => {
    expect(renderTerminal(report, true).includes('\u001b[')).toBe(true);
    expect(
      renderCheckLine(
        'web-3',
        report.hosts[0]?.checks[1] ?? { id: 'x', status: 'ok', summary: '', durationMs: 0 },
        false,
      ),
    ).toContain('✗ web-3 upstreams');
  });

  it('prints one JSON document in the documented shape', () => {
    const doc = JSON.parse(renderJson(report));
    expect(Object.keys(doc)).toEqual(['target', 'verdict', 'sinceS', 'startedAt', 'hosts']);
    expect(Object.keys(doc.hosts[0])).toEqual([
      'host',
      'address',
      'durationMs',
      'verdict',
      'notChecked',
      'checks',
      'findings',
    ]);
    expect(Object.keys(doc.hosts[0].findings[0])).toEqual([
      'cause',
      'confidence',
      'title',
      'evidence',
      'remediation',
      'actions',
    ]);
    expect(doc.hosts[0].findings[0].actions[0]).toEqual({
      id: 'restart-service:app',
      kind: 'safe',
      label: 'Restart app',
    });
  });
});
