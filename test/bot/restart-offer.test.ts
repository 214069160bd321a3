/** Step 1 of the restart protocol, pure: which findings get a button, and the button Slack accepts. */
import { describe, expect, it } from 'vitest';
import { failingRequest, plannedRestarts } from '../../src/actions/offer-restarts.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { parseInventory } from '../../src/inventory/load-inventory.js';
import { restartActionsBlock } from '../../src/report/block-kit-restart.js';
import type { HostReport } from '../../src/report/types.js';
import { checkMessage } from '../slack-standin/block-rules.js';

// A line as nginx logged it in the lab's app-down scenario.
const REFUSED =
  '2026/11/25 11:06:37 [error] 213#213: *3 connect() failed (111: Connection refused) while connecting to upstream, client: 10.88.67.1, server: web-1, request: "GET /orders?id=7 HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "shop.example"';

const inventoryWith = (restart: string) =>
  parseInventory(
    [
      'ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }',
      'hosts:',
      '  web-1: { address: 10.0.0.1, services: [{ name: app, restart: systemctl restart app }, { name: worker }] }',
      restart,
      '',
    ].join('\n'),
    '/inv/inventory.yml',
  );
const POLICY = 'restart: { allow: [{ users: [U0ONCALL] }], expires: 5m }';

const finding = (actions: Finding['actions']): Finding => ({
  cause: 'upstream-down',
  confidence: 0.9,
  title: 'app is not running',
  evidence: [REFUSED],
  remediation: [],
  actions,
});
const host = (f: Finding): HostReport => ({
  host: 'web-1',
  address: '10.0.0.1',
  durationMs: 1,
  verdict: 'cause-found',
  notChecked: [],
  checks: [],
  findings: [f],
});

describe('restart offers', () => {
  it('offers safe restarts of services with an inventory restart command, and nginx reloads', () => {
    const f = finding([
      { id: 'restart-service:app', kind: 'safe', label: 'Restart app.service' },
      { id: 'restart-service:worker', kind: 'safe', label: 'Restart worker.service' },
      { id: 'restart-service:app', kind: 'human', label: 'Restart after fixing memory' },
      { id: 'reload-nginx', kind: 'safe', label: 'Reload nginx' },
      { id: 'raise-buffer', kind: 'guarded', label: 'Raise proxy_buffer_size' },
    ]);
    const planned = plannedRestarts(inventoryWith(POLICY), host(f), 'job-1', 1_000);
    expect(planned.map((p) => [p.kind, p.service, p.command])).toEqual([
      ['restart-service', 'app', 'systemctl restart app'],
      ['reload-nginx', 'nginx', 'nginx -s reload'],
    ]);
    expect(planned[0]).toMatchObject({
      expiresAt: 301_000,
      dryRun: false,
      // The line's marker only: the request is read again on the host, never stored.
      failing: { marker: '2026/11/25 11:06:37 [error] 213#213: *3 ' },
      diagnosis: { jobId: 'job-1', cause: 'upstream-down' },
    });
  });

  it("offers nothing without a restart: policy, or for a person's action", () => {
    const safe = finding([{ id: 'restart-service:app', kind: 'safe', label: 'Restart app.service' }]);
    expect(plannedRestarts(inventoryWith(''), host(safe), 'j', 0)).toEqual([]);
    const human = finding([{ id: 'restart-service:app', kind: 'human', label: 'Restart app.service' }]);
    expect(plannedRestarts(inventoryWith(POLICY), host(human), 'j', 0)).toEqual([]);
  });

  it('replays only GET/HEAD requests', () => {
    expect(failingRequest([REFUSED.replace('GET /orders', 'POST /orders')])).toBeUndefined();
  });

  it('renders a button Slack accepts, whose dialog names the command and the host', () => {
    const block = restartActionsBlock([
      {
        recordId: 'AAAAAAAAAAAAAAAAAAAAAA',
        label: 'Restart app on web-1',
        host: 'web-1',
        address: '10.0.0.1',
        command: 'x'.repeat(400),
        dryRun: false,
        expiresAt: 0,
      },
    ]);
    expect(checkMessage('report', [block])).toBeUndefined();
    const json = JSON.stringify(block);
    expect(json).toContain('"value":"AAAAAAAAAAAAAAAAAAAAAA"');
    expect(json).toContain('"action_id":"d502_restart"');
  });
});
