// Issue 18: every log nginx writes (per-site logs, logs rotated inside the window) and live failures
// with silent logs, diagnosed for real: real nginx, the real Node app and php-fpm, real SSH.
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../lab/exec.js';
import { NGINX_ERROR_LOG } from '../../lab/nginx-config.js';
import { SITE_ERROR_LOG } from '../../lab/scenarios/table-logs.js';
import { restoreHost, runScenario } from '../../lab/scenarios.js';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { exitCodeFor } from '../../src/cli/run-cli.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { resolveTarget } from '../../src/inventory/resolve-target.js';
import { diagnoseTarget } from '../../src/pipeline/diagnose-target.js';
import { sshConnector } from '../../src/pipeline/ssh-connector.js';
import type { HostReport } from '../../src/report/types.js';
import { SCENARIO_HOST, scenarioCases } from './scenario-cases.js';
import { SCENARIO_GROUPS } from './scenario-groups.js';

/** Where the per-site host's `nginx -T` is saved (a real dump for the parser's unit tests). */
const DUMP_OUT = process.env.D502_SAVE_NGINX_T;

describe.skipIf(labSkipReason('test/lab/scenarios-logs.test.ts') !== undefined)(
  'lab scenarios: every log nginx writes, and live failures with silent logs (issue 18)',
  () => {
    const fixture = useLab({ hosts: 2 });
    scenarioCases(fixture, SCENARIO_GROUPS.logFiles);

    /** Restores the host, runs `scenario` (or `act`), and diagnoses it over SSH with a window from just before. */
    async function diagnoseAfter(
      act: () => Promise<unknown>,
    ): Promise<{ host: HostReport; code: number; dump: string }> {
      const lab = fixture.lab;
      await restoreHost(lab, SCENARIO_HOST);
      await sleep(4_000);
      const t0 = Date.now();
      await act();
      const inventory = await loadInventory({ flagPath: lab.inventoryPath, cwd: process.cwd() });
      const hosts = resolveTarget(inventory, SCENARIO_HOST);
      const sinceS = Math.ceil((Date.now() - t0) / 1000) + 2;
      const report = await diagnoseTarget(SCENARIO_HOST, hosts, sshConnector(hosts), { sinceS });
      const host = report.hosts[0];
      if (!host) throw new Error('no host report');
      const dump = JSON.stringify(host, null, 2);
      console.log(
        `[test/lab/scenarios-logs] verdict ${host.verdict}, exit ${exitCodeFor(report)}, first ${host.findings[0]?.cause} (${host.findings[0]?.confidence}): ${host.findings[0]?.title}`,
      );
      return { host, code: exitCodeFor(report), dump };
    }

    it("per-site logs: the 502s are read from the server block's error_log, with the site and upstream named", async () => {
      const { host, code, dump } = await diagnoseAfter(() =>
        runScenario(fixture.lab, SCENARIO_HOST, 'per-site-logs-header-too-big'),
      );
      if (DUMP_OUT)
        await writeFile(DUMP_OUT, (await fixture.lab.exec(SCENARIO_HOST, 'nginx -T 2>&1')).stdout);
      expect(host.findings[0]?.cause, dump).toBe('header-too-big');
      expect(host.verdict, dump).toBe('cause-found');
      expect(code, dump).toBe(1);
      const text = host.findings[0]?.evidence.join('\n') ?? '';
      expect(text, dump).toContain(`server: ${SCENARIO_HOST}`);
      expect(text, dump).toContain('upstream: "http://127.0.0.1:8081/"');
      const site = host.logsRead?.find((l) => l.path === SITE_ERROR_LOG);
      expect(site, dump).toMatchObject({ kind: 'error', read: true, sites: [SCENARIO_HOST] });
      expect(site?.upstreamErrors, dump).toBeGreaterThan(0);
      const main = host.logsRead?.find((l) => l.path === NGINX_ERROR_LOG);
      expect(main, dump).toMatchObject({ read: true, upstreamErrors: 0 });
      expect(
        host.logsRead?.find((l) => l.path === '/var/log/nginx/site.access.log'),
        dump,
      ).toMatchObject({
        kind: 'access',
        read: true,
      });
    });

    for (const [name, pred] of [
      ['rotated-log-header-too-big', `${NGINX_ERROR_LOG}.1`],
      ['rotated-log-gz-header-too-big', `${NGINX_ERROR_LOG}.1.gz`],
    ] as const) {
      it(`${name}: the window's 502s are read from ${pred}`, async () => {
        const { host, code, dump } = await diagnoseAfter(() => runScenario(fixture.lab, SCENARIO_HOST, name));
        expect(host.findings[0]?.cause, dump).toBe('header-too-big');
        expect(code, dump).toBe(1);
        const rotated = host.logsRead?.find((l) => l.path === pred);
        expect(rotated, dump).toMatchObject({ read: true, rotatedFrom: NGINX_ERROR_LOG });
        expect(rotated?.upstreamErrors, dump).toBeGreaterThan(0);
      });
    }

    it('rotated twice in the window (dateext + compress): the 502s are read from the older .gz, both files named', async () => {
      try {
        const { host, code, dump } = await diagnoseAfter(() =>
          runScenario(fixture.lab, SCENARIO_HOST, 'rotated-twice-dateext-header-too-big'),
        );
        expect(host.findings[0]?.cause, dump).toBe('header-too-big');
        expect(code, dump).toBe(1);
        const rotated = (host.logsRead ?? []).filter((l) => l.rotatedFrom === NGINX_ERROR_LOG);
        // Newest first: the second rotation (no error line), then the first (the 502s).
        expect(
          rotated.map((l) => [/-\d{14}\.gz$/.test(l.path), l.read, l.upstreamErrors]),
          dump,
        ).toEqual([
          [true, true, 0],
          [true, true, expect.any(Number)],
        ]);
        expect(rotated[1]?.upstreamErrors, dump).toBeGreaterThan(0);
        expect((rotated[0]?.path ?? '') > (rotated[1]?.path ?? ''), dump).toBe(true);
      } finally {
        await fixture.lab.exec(SCENARIO_HOST, `rm -f ${NGINX_ERROR_LOG}-*`);
      }
    });

    it('the app is down and no request came yet: upstream-down from the live check, never "no cause"', async () => {
      const { host, code, dump } = await diagnoseAfter(() =>
        fixture.lab.service(SCENARIO_HOST, 'stop', 'app'),
      );
      expect(
        host.findings.map((f) => f.cause),
        dump,
      ).not.toContain('no-502-evidence');
      expect(host.findings[0]?.cause, dump).toBe('upstream-down');
      expect(host.findings[0]?.title, dump).toContain('refuses connections now');
      expect(host.findings[0]?.evidence.join('\n'), dump).toMatch(/no request reached it yet/);
      expect(host.verdict, dump).toBe('cause-found');
      expect(code, dump).not.toBe(0);
    });

    it('php-fpm is down and no request came yet: socket-missing from the live check, never "no cause"', async () => {
      const { host, code, dump } = await diagnoseAfter(() =>
        fixture.lab.service(SCENARIO_HOST, 'stop', 'php-fpm'),
      );
      expect(
        host.findings.map((f) => f.cause),
        dump,
      ).not.toContain('no-502-evidence');
      expect(['socket-missing', 'socket-stale'], dump).toContain(host.findings[0]?.cause);
      expect(host.verdict, dump).toBe('cause-found');
      expect(code, dump).not.toBe(0);
    });
  },
);
