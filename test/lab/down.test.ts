// `down` leaves nothing behind: no namespace, link, process, mount, cgroup or state file, whether
// the lab came up cleanly, lost its state file, or its `up` was killed half-way.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LabConfig } from '../../lab/config.js';
import { lockPath, REPO_ROOT, statePath } from '../../lab/config.js';
import { processAlive, run, waitFor } from '../../lab/exec.js';
import { startLab, stopLab } from '../../lab/fleet.js';
import { listLabLinks, listLabNetns } from '../../lab/net.js';
import { applyScenario } from '../../lab/scenarios.js';
import { labSkipReason, reserveTestLab } from '../../lab/with-lab.js';

async function leftovers(cfg: LabConfig, pids: number[]): Promise<string[]> {
  const found: string[] = [];
  for (const ns of await listLabNetns(cfg)) found.push(`netns ${ns}`);
  for (const link of await listLabLinks(cfg)) found.push(`link ${link}`);
  for (const pid of pids) if (processAlive(pid)) found.push(`process ${pid}`);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(cfg.netnsPrefix) || l.includes(cfg.dir));
  for (const m of mounts) found.push(`mount ${m}`);
  const tables = (await run('nft', ['list', 'tables'], { allowFail: true })).stdout;
  if (tables.includes(`d502`)) found.push(`nft ${tables}`);
  if (existsSync(cfg.cgroupDir)) found.push(`cgroup ${cfg.cgroupDir}`);
  if (existsSync(statePath(cfg))) found.push('state.json');
  return found;
}

/** Every process that lives in one of the lab's network namespaces right now. */
async function labPids(cfg: LabConfig): Promise<number[]> {
  const pids: number[] = [];
  for (const ns of await listLabNetns(cfg)) {
    const { stdout } = await run('ip', ['netns', 'pids', ns]);
    pids.push(...stdout.split('\n').filter(Boolean).map(Number));
  }
  return pids;
}

describe.skipIf(labSkipReason('test/lab/down.test.ts') !== undefined)('lab down', () => {
  it('removes a running lab completely, scenario changes included', async () => {
    const cfg = await reserveTestLab();
    try {
      const lab = await startLab({ id: cfg.id, hosts: 2 });
      // A cgroup, a tmpfs and an nft table inside hosts must go too.
      await applyScenario(lab, 'web-1', 'oom-killed');
      await applyScenario(lab, 'web-1', 'disk-full');
      await applyScenario(lab, 'web-1', 'firewall-drop');
      const pids = await labPids(cfg);
      expect(pids.length).toBeGreaterThan(10);
      expect(await leftovers(cfg, [])).not.toEqual([]);
      await stopLab(cfg);
      expect(await leftovers(cfg, pids)).toEqual([]);
    } finally {
      await stopLab(cfg);
    }
  });

  it('cleans up by name when the state file is lost', async () => {
    const cfg = await reserveTestLab();
    try {
      await startLab({ id: cfg.id, hosts: 2 });
      const pids = await labPids(cfg);
      await run('rm', ['-f', statePath(cfg)]);
      await stopLab(cfg);
      expect(await leftovers(cfg, pids)).toEqual([]);
    } finally {
      await stopLab(cfg);
    }
  });

  it('cleans up after `npm run lab -- up` was killed half-way', async () => {
    const cfg = await reserveTestLab();
    try {
      await rm(lockPath(cfg)); // the CLI takes the lock itself
      // The CLI in its own process group, killed with everything it spawned (as by a closed terminal).
      const cli = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(REPO_ROOT, 'lab', 'cli.ts'), 'up', '--hosts', '4'],
        {
          env: { ...process.env, LAB_ID: String(cfg.id), LAB_DIR: cfg.dir },
          cwd: REPO_ROOT,
          detached: true,
          stdio: 'ignore',
        },
      );
      const exited = new Promise((resolve) => cli.once('exit', resolve));
      await waitFor('the killed up to have started a host', async () => (await labPids(cfg)).length > 0, {
        timeoutMs: 60_000,
        intervalMs: 20,
      });
      if (cli.pid) process.kill(-cli.pid, 'SIGKILL');
      await exited;
      const pids = await labPids(cfg);
      await stopLab(cfg);
      expect(await leftovers(cfg, pids)).toEqual([]);
    } finally {
      await stopLab(cfg);
    }
  });

  it('refuses to start over a lab that another owner is running', async () => {
    const cfg = await reserveTestLab();
    try {
      await startLab({ id: cfg.id, hosts: 2, owner: 'cli' });
      await expect(startLab({ id: cfg.id, hosts: 2 })).rejects.toThrow(
        new RegExp(`lab ${cfg.id} is already up\\. Run \`LAB_ID=${cfg.id} npm run lab -- down\` first`),
      );
    } finally {
      await stopLab(cfg);
    }
  });
});
