// A lab whose state dir lives under /tmp, a path every lab host mounts its own /tmp over (as /root
// does for a checkout in root's home). Hosts used to fail to start there: their mount sources were
// shadowed by the host's earlier mounts. Now a host comes up, answers over SSH, serves through its
// nginx and the real diagnosis reaches it.
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/fleet.js';
import { startLab } from '../../lab/fleet.js';
import { driveTraffic } from '../../lab/scenarios.js';
import { sshRun } from '../../lab/ssh-client.js';
import { labSkipReason } from '../../lab/with-lab.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { resolveTarget } from '../../src/inventory/resolve-target.js';
import { diagnoseTarget } from '../../src/pipeline/diagnose-target.js';
import { sshConnector } from '../../src/pipeline/ssh-connector.js';

const LAB_ID = 53;

describe.skipIf(labSkipReason('test/lab/state-dir-anywhere.test.ts') !== undefined)(
  'a lab with its state dir under /tmp (a path the hosts mount over)',
  () => {
    let lab: Lab | undefined;
    const dir = mkdtempSync('/tmp/d502-state-');

    beforeAll(async () => {
      lab = await startLab({ id: LAB_ID, dir: `${dir}/lab`, hosts: 2, replace: true });
    }, 300_000);

    afterAll(async () => {
      await lab?.stop();
      rmSync(dir, { recursive: true, force: true });
    }, 300_000);

    const up = (): Lab => {
      if (!lab) throw new Error('the lab did not start');
      return lab;
    };

    it('keeps the state dir on the machine under /tmp', () => {
      expect(up().cfg.dir.startsWith('/tmp/d502-state-')).toBe(true);
    });

    it('brings web-1 up: over SSH it is itself, its nginx runs and the state dir is not visible', async () => {
      const l = up();
      const r = await sshRun(
        l,
        'web-1',
        `hostname; lab-service status nginx; curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1/; ` +
          `ls -d ${l.cfg.dir} 2>&1; ls /tmp`,
      );
      expect(r.stderr).toBe('');
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe('web-1');
      expect(r.stdout).toMatch(/nginx\b.*healthy/);
      expect(r.stdout).toMatch(/^200$/m);
      expect(r.stdout).toContain(`ls: cannot access '${l.cfg.dir}': No such file or directory`);
    });

    it('serves the Node app, php-fpm, gunicorn and the app host through nginx', async () => {
      for (const path of ['/', '/php/', '/py/', '/remote/']) {
        const { statuses } = await driveTraffic(up(), 'web-1', { path, count: 1 });
        expect(statuses, path).toEqual([200]);
      }
    });

    it('is reached by the real diagnosis, which reads its nginx config and logs', async () => {
      const inventory = await loadInventory({ flagPath: up().inventoryPath, cwd: process.cwd() });
      const hosts = resolveTarget(inventory, 'web-1');
      const report = await diagnoseTarget('web-1', hosts, sshConnector(hosts), { sinceS: 60 });
      const host = report.hosts[0];
      const dump = JSON.stringify(host, null, 2);
      const status = (id: string) => host?.checks.find((c) => c.id === id)?.status;
      expect(status('nginx-config'), dump).toBe('ok');
      expect(status('error-log'), dump).not.toBe('error');
      expect(
        host?.findings.map((f) => f.cause),
        dump,
      ).not.toContain('host-unreachable');
    });
  },
);
