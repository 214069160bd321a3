/**
 * "Ruled out" on real hosts (issue 20 item 1): a lab web host diagnosed over real SSH, healthy and
 * then broken three ways. What the real probes saw (nft's ruleset, the kernel log, /proc, the
 * sockets) rules causes out; the verdict's cause never is, and neither is the fault that was made.
 * Run under the lab lock: flock /tmp/d502-lab.lock npx vitest run test/lab/ruled-out.test.ts
 */
import { describe, expect, it } from 'vitest';
import { sleep } from '../../lab/exec.js';
import { restoreHost, runScenario } from '../../lab/scenarios.js';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { resolveTarget } from '../../src/inventory/resolve-target.js';
import type { Cause } from '../../src/parse/causes.js';
import { diagnoseTarget } from '../../src/pipeline/diagnose-target.js';
import { sshConnector } from '../../src/pipeline/ssh-connector.js';
import type { HostReport } from '../../src/report/types.js';

const HOST = 'web-1';

describe.skipIf(labSkipReason('test/lab/ruled-out.test.ts') !== undefined)('ruled out on a lab host', () => {
  const fixture = useLab({ hosts: 2 });

  async function diagnosed(scenario: string): Promise<HostReport> {
    await restoreHost(fixture.lab, HOST);
    await sleep(3_000);
    await runScenario(fixture.lab, HOST, scenario);
    const inventory = await loadInventory({ flagPath: fixture.lab.inventoryPath, cwd: process.cwd() });
    const hosts = resolveTarget(inventory, HOST);
    const report = await diagnoseTarget(HOST, hosts, sshConnector(hosts), { sinceS: 60 });
    const h = report.hosts[0];
    if (!h) throw new Error('no host report');
    console.log(
      `[ruled-out] ${scenario}: ${h.findings[0]?.cause}\n${(h.ruledOut ?? []).map((r) => `  ${r.cause}: ${r.evidence}`).join('\n')}`,
    );
    return h;
  }
  const causes = (h: HostReport) => (h.ruledOut ?? []).map((r) => r.cause);
  const never = (h: HostReport, made: Cause) => {
    expect(causes(h)).not.toContain(made);
    for (const f of h.findings) expect(causes(h)).not.toContain(f.cause);
  };

  it('healthy: the app, the path, the kernel, the disks, the config and nginx itself are ruled out', async () => {
    const h = await diagnosed('healthy');
    expect(h.verdict).toBe('no-cause');
    expect(causes(h)).toEqual(
      expect.arrayContaining<Cause>([
        'upstream-down',
        'network-blocked',
        'upstream-oom-killed',
        'disk-full',
        'socket-missing',
        'socket-stale',
        'socket-permission',
        'nginx-config-invalid',
        'nginx-down',
      ]),
    );
    const line = (c: Cause) => h.ruledOut?.find((r) => r.cause === c)?.evidence;
    expect(line('network-blocked')).toBe('firewall: 0 drop/reject rules (nftables)');
    expect(line('upstream-oom-killed')).toBe('OOM kills: none in 1m');
    expect(line('nginx-config-invalid')).toMatch(/^nginx -t: configuration test successful \(nginx\/1\.\d+/);
  }, 120_000);

  it('socket-permission: the socket is not ruled out; the rest of the host is', async () => {
    const h = await diagnosed('socket-permission');
    expect(h.findings[0]?.cause).toBe('socket-permission');
    never(h, 'socket-permission');
    expect(causes(h)).toEqual(
      expect.arrayContaining<Cause>(['socket-missing', 'upstream-oom-killed', 'disk-full']),
    );
  }, 120_000);

  it('firewall-drop: a drop rule in the ruleset, so the network is not ruled out', async () => {
    const h = await diagnosed('firewall-drop');
    expect(h.findings[0]?.cause).toBe('network-blocked');
    never(h, 'network-blocked');
    expect(causes(h)).toContain('upstream-oom-killed');
  }, 120_000);

  it('app-down: the app is not ruled out; the firewall and the kernel are', async () => {
    const h = await diagnosed('app-down');
    expect(h.findings[0]?.cause).toBe('upstream-down');
    never(h, 'upstream-down');
    expect(causes(h)).toEqual(
      expect.arrayContaining<Cause>(['network-blocked', 'upstream-oom-killed', 'disk-full']),
    );
  }, 120_000);
});
