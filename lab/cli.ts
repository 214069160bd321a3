/**
 * npm run lab -- up [--hosts N] [--replace] | down | status | scenario <host> <name> | restore <host>
 * The lab is selected by LAB_ID (default 0) and LAB_DIR (default <repo>/.lab/<id>).
 */
import { parseArgs } from 'node:util';
import { labConfigFromEnv } from './config.js';
import { attachLab, startLab, stopLab } from './fleet.js';
import { driveTraffic } from './scenarios/drive.js';
import { applyScenario, restoreHost, SCENARIOS } from './scenarios.js';
import { labStatus, renderStatus } from './status.js';

const USAGE = `usage: npm run lab -- <command>
  up [--hosts N] [--replace] [--parallel P]   bring up N hosts (default 3: web-1, web-2, app-1)
  down                                        remove everything of the lab (also after a failed up)
  status                                      hosts, addresses, whether sshd/nginx/apps answer
  scenario <host> <name>                      put a host into a fault state and send it the scenario's requests
  restore <host>                              return a host to healthy
Lab id from LAB_ID (default 0), state dir from LAB_DIR (default .lab/<id>).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      hosts: { type: 'string' },
      parallel: { type: 'string' },
      replace: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  const cfg = labConfigFromEnv();
  const log = (m: string) => console.error(m);
  switch (values.help ? 'help' : command) {
    case 'up': {
      const started = Date.now();
      const lab = await startLab({
        id: cfg.id,
        dir: cfg.dir,
        hosts: values.hosts === undefined ? undefined : Number(values.hosts),
        parallel: values.parallel === undefined ? undefined : Number(values.parallel),
        replace: values.replace,
        owner: 'cli',
        log,
      });
      log(`lab ${lab.id}: ${lab.hosts.length} hosts up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      console.log(renderStatus(lab, await labStatus(lab)));
      return 0;
    }
    case 'down': {
      const started = Date.now();
      await stopLab(cfg);
      log(`lab ${cfg.id}: down in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'status': {
      const lab = await attachLab(cfg);
      const rows = await labStatus(lab);
      console.log(renderStatus(lab, rows));
      return rows.every((r) => r.alive && r.ssh && r.http !== undefined) ? 0 : 1;
    }
    case 'scenario': {
      if (values.list || rest.length < 2) {
        for (const s of SCENARIOS)
          console.log(`${s.name.padEnd(24)} ${s.expectedCause.padEnd(28)} ${s.summary}`);
        return values.list ? 0 : 2;
      }
      const [host, name] = rest as [string, string];
      const lab = await attachLab(cfg);
      const s = await applyScenario(lab, host, name);
      // The scenario's own requests, as users would send them: nginx logs the 502/504s to diagnose.
      const { statuses } = await driveTraffic(lab, host, s.drive);
      log(
        `lab ${cfg.id}: ${host} is now in scenario ${name}; sent ${statuses.length} ${s.drive.method ?? 'GET'} ${s.drive.path}: ` +
          `${statuses.map((c) => c || 'no answer').join(' ')}; undo with: npm run lab -- restore ${host}`,
      );
      return 0;
    }
    case 'restore': {
      const [host] = rest;
      if (!host) break;
      await restoreHost(await attachLab(cfg), host);
      log(`lab ${cfg.id}: ${host} restored to healthy`);
      return 0;
    }
    case 'help':
      console.log(USAGE);
      return 0;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
