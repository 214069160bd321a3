// A real 3-host fleet: what a user checks first. Every host answers through nginx and over SSH with
// the lab key against the lab's known_hosts, and nothing of one host is visible in another.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { run } from '../../lab/exec.js';
import { driveTraffic } from '../../lab/scenarios.js';
import { sshRun } from '../../lab/ssh-client.js';
import { labStatus } from '../../lab/status.js';
import { labSkipReason, useLab } from '../../lab/with-lab.js';

describe.skipIf(labSkipReason('test/lab/fleet.test.ts') !== undefined)('lab fleet', () => {
  const fixture = useLab({ hosts: 3 });

  it('brings up web-1, web-2 and app-1 on the lab subnet with every service healthy', async () => {
    const { lab } = fixture;
    expect(lab.hosts.map((h) => [h.name, h.address])).toEqual([
      ['web-1', `10.88.${lab.id}.11`],
      ['web-2', `10.88.${lab.id}.12`],
      ['app-1', `10.88.${lab.id}.211`],
    ]);
    for (const row of await labStatus(lab)) {
      expect(row.alive).toBe(true);
      expect(row.ssh).toBe(true);
      expect(row.http).toBe(200);
      expect(row.services.every((s) => s.endsWith(' healthy'))).toBe(true);
    }
  });

  it('serves the Node app, php-fpm, gunicorn and the remote app host through nginx on web-1', async () => {
    const bodies: string[] = [];
    for (const path of ['/', '/php/', '/py/', '/remote/']) {
      const { statuses, results } = await driveTraffic(fixture.lab, 'web-1', { path, count: 1 });
      expect(statuses).toEqual([200]);
      bodies.push(results[0]?.body ?? '');
    }
    expect(bodies).toEqual([
      'app ok from web-1 GET /\n',
      'php ok from web-1 /php/\n',
      'gunicorn ok from web-1 /py/\n',
      'app ok from app-1 GET /remote/\n',
    ]);
    // nginx writes the log line after the response has gone out: the client can be faster (seen in CI).
    let access = '';
    for (let i = 0; i < 20 && !access.includes('GET /remote/'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      access = await fixture.lab.readFile('web-1', '/var/log/nginx/access.log');
    }
    expect(access).toMatch(
      /"GET \/remote\/ HTTP\/1\.1" 200 \d+ .* ua="10\.88\.\d+\.211:8080" us="200" uct="[\d.]+"/,
    );
  });

  it('logs in over SSH as root with the lab key, the host key pinned in known_hosts', async () => {
    const { lab } = fixture;
    for (const host of lab.hosts) {
      const r = await run(
        'ssh',
        [
          '-o',
          'BatchMode=yes',
          '-o',
          `UserKnownHostsFile=${lab.knownHostsPath}`,
          '-o',
          'StrictHostKeyChecking=yes',
          '-i',
          lab.privateKeyPath,
          `root@${host.address}`,
          'hostname; id -un',
        ],
        { allowFail: true },
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${host.name}\nroot\n`);
      const scanned = await run('ssh-keyscan', ['-t', 'ed25519', host.address], { allowFail: true });
      const served = scanned.stdout.trim().split(/\s+/).slice(1).join(' ');
      const knownHosts = await readFile(lab.knownHostsPath, 'utf8');
      expect(knownHosts).toContain(`${host.address} ${served}\n`);
      expect(knownHosts).toContain(`${host.name} ${served}\n`);
    }
  });

  it('refuses passwords and unknown keys (key-only sshd)', async () => {
    const host = fixture.lab.host('web-2');
    const r = await run(
      'ssh',
      ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-o']
        .concat([`UserKnownHostsFile=${fixture.lab.knownHostsPath}`, '-o', 'PubkeyAuthentication=no'])
        .concat([`root@${host.address}`, 'true']),
      { allowFail: true },
    );
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it('isolates hosts: files, logs, hostname, processes and config of one are not visible in another', async () => {
    const { lab } = fixture;
    await lab.exec(
      'web-1',
      'echo secret-of-web-1 > /tmp/marker; echo marker-line >> /var/log/nginx/error.log',
    );
    await lab.exec('web-1', 'setsid sleep 7777 >/dev/null 2>&1 < /dev/null &');
    const look =
      'hostname; cat /tmp/marker 2>&1; grep -c marker-line /var/log/nginx/error.log; ' +
      "ps -eo args | grep -c '^sleep 7777'; grep server_name /etc/nginx/nginx.conf";
    const inWeb1 = await lab.exec('web-1', look, { allowFail: true });
    const inWeb2 = await lab.exec('web-2', look, { allowFail: true });
    expect(inWeb1.stdout).toBe('web-1\nsecret-of-web-1\n1\n1\n        server_name web-1;\n');
    expect(inWeb2.stdout).toBe(
      'web-2\ncat: /tmp/marker: No such file or directory\n0\n0\n        server_name web-2;\n',
    );
    // Each host sees only its own processes, with its own pid 1.
    const pid1 = await lab.exec('web-2', 'ps -o args= -p 1');
    expect(pid1.stdout.trim()).toBe('/usr/bin/tini -s -- sleep infinity');
    // Over SSH too, and the lab state dir (every host's files, the client key) is hidden inside hosts.
    const viaSsh = await sshRun(lab, 'app-1', `cat /tmp/marker; ls -A ${lab.cfg.dir} | wc -l`);
    expect(viaSsh.stdout).toBe('0\n');
    expect(viaSsh.stderr).toMatch(/No such file or directory/);
    // Each host has its own network stack: app-1 has only lo and its eth0 address.
    const addrs = await lab.exec('app-1', "ip -4 -o addr show | awk '{print $2, $4}'");
    expect(addrs.stdout).toBe(`lo 127.0.0.1/8\neth0 10.88.${lab.id}.211/24\n`);
  });

  it('writes an inventory whose hosts, addresses and paths match the running fleet', async () => {
    const { lab } = fixture;
    const inv = parse(await readFile(lab.inventoryPath, 'utf8'));
    expect(inv.ssh.privateKeyPath).toBe(lab.privateKeyPath);
    expect(inv.ssh.knownHostsPath).toBe(lab.knownHostsPath);
    expect(Object.keys(inv.hosts)).toEqual(['web-1', 'web-2', 'app-1']);
    for (const h of lab.hosts) expect(inv.hosts[h.name].address).toBe(h.address);
    // The service entries are true of the host: the process regex matches, the restart command works.
    const web1 = inv.hosts['web-1'];
    for (const svc of web1.services as { process: string; restart: string; logs: string[] }[]) {
      const ps = await sshRun(lab, 'web-1', `ps -eo args | grep -E '${svc.process}' | grep -v grep | wc -l`);
      expect(Number(ps.stdout.trim())).toBeGreaterThan(0);
      const restarted = await sshRun(lab, 'web-1', svc.restart);
      expect(restarted.code).toBe(0);
      for (const log of svc.logs) expect((await sshRun(lab, 'web-1', `test -s ${log}`)).code).toBe(0);
    }
  });
});
