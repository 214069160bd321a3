import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAnsibleIni } from '../../../src/inventory/ansible-ini.js';
import { convertAnsible, hostVars, jumpFromSshArgs } from '../../../src/inventory/ansible-inventory.js';
import type { AnsibleModel } from '../../../src/inventory/ansible-model.js';
import { parseAnsibleYaml } from '../../../src/inventory/ansible-yaml.js';
import { InventoryError } from '../../../src/inventory/errors.js';
import { parseInventory, validateInventory } from '../../../src/inventory/load-inventory.js';
import { readInventorySource } from '../../../src/inventory/sources.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const INI = fixture('ansible-hosts.ini');
const YML = fixture('ansible-hosts.yml');

function ansibleAvailable(): string | undefined {
  try {
    execFileSync('ansible-inventory', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'ansible-inventory is not installed (apt-get install -y ansible-core)';
  }
}
const noAnsible = ansibleAvailable();
if (noAnsible !== undefined) console.warn(`[ansible] skipping the cross-check with Ansible: ${noAnsible}`);

interface AnsibleList {
  _meta: { hostvars: Record<string, Record<string, unknown>> };
  [group: string]: { hosts?: string[]; children?: string[] } | AnsibleList['_meta'];
}

/** What Ansible itself makes of the file. */
function ansibleList(file: string): AnsibleList {
  const out = execFileSync('ansible-inventory', ['-i', file, '--list'], {
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_INVENTORY_UNPARSED_FAILED: '1' },
  });
  return JSON.parse(out) as AnsibleList;
}

/** Our model in the shape of `ansible-inventory --list`. */
function asList(model: AnsibleModel): AnsibleList {
  const hostvars: Record<string, Record<string, unknown>> = {};
  for (const name of model.hosts.keys()) {
    hostvars[name] = Object.fromEntries([...hostVars(model, name)].map(([k, v]) => [k, v.value]));
  }
  const list: AnsibleList = { _meta: { hostvars } };
  for (const group of model.groups.values()) {
    const entry: { hosts?: string[]; children?: string[] } = {};
    if (group.hosts.length > 0) entry.hosts = [...group.hosts];
    if (group.children.length > 0) entry.children = [...group.children];
    if (group.name === 'all' || Object.keys(entry).length > 0) list[group.name] = entry;
  }
  return list;
}

function normalized(list: AnsibleList) {
  const groups: Record<string, { hosts: string[]; children: string[] }> = {};
  for (const [name, value] of Object.entries(list)) {
    if (name === '_meta') continue;
    const g = value as { hosts?: string[]; children?: string[] };
    groups[name] = { hosts: [...(g.hosts ?? [])].sort(), children: [...(g.children ?? [])].sort() };
  }
  return { hostvars: list._meta.hostvars, groups };
}

describe.skipIf(noAnsible !== undefined)(
  'the Ansible parsers read files as ansible-inventory --list does',
  () => {
    it.each([
      ['INI', INI, parseAnsibleIni],
      ['YAML', YML, parseAnsibleYaml],
    ])('%s: same hosts, variables (precedence included), groups and children', (_, file, parse) => {
      const { model, problems } = parse(readFileSync(file, 'utf8'), file);
      expect(problems).toEqual([]);
      expect(normalized(asList(model))).toEqual(normalized(ansibleList(file)));
    });
  },
);

describe('Ansible inventories become diagnose502 hosts', () => {
  it('INI and YAML of the same fleet give the same hosts, jump hosts and groups', () => {
    const fromIni = convertAnsible(parseAnsibleIni(readFileSync(INI, 'utf8'), INI).model);
    const fromYaml = convertAnsible(parseAnsibleYaml(readFileSync(YML, 'utf8'), YML).model);
    expect({ ...fromIni, lineOf: undefined }).toEqual({ ...fromYaml, lineOf: undefined });
    expect(fromIni.hosts['web-3']).toEqual({
      address: '10.0.0.13',
      ssh: { port: 2222, user: 'ops', privateKeyPath: '~/.ssh/diag_ed25519', jumpHost: 'bastion' },
    });
    expect(fromIni.hosts['web-4']?.ssh.port).toBe(2200);
    expect(fromIni.hosts['db-1']).toEqual({
      address: '10.0.1.11',
      ssh: { port: 22, user: 'ops', sudo: true },
    });
    expect(fromIni.groups).toEqual({
      web: ['web-1', 'web-2', 'web-3', 'web-4'],
      db: ['db-1'],
      prod: ['web-1', 'web-2', 'web-3', 'web-4', 'db-1'],
    });
    // Lines point into the Ansible file: web-3's port is on line 6 of the INI.
    expect(fromIni.lineOf(['hosts', 'web-3', 'ssh', 'port'])).toBe(6);
  });

  it.each([
    ['-J jump@bastion:2222', 'bastion'],
    ['-o ProxyJump=bastion,inner', 'bastion'],
    ['-o "ProxyJump bastion"', 'bastion'],
    ['-o ProxyCommand="ssh -W %h:%p -q -p 2200 bastion.example.com"', 'bastion.example.com'],
    ['-o ServerAliveInterval=10', undefined],
  ])('jump host of ansible_ssh_common_args %s', (args, host) => {
    expect(jumpFromSshArgs(args)).toBe(host);
  });

  it('an INI file with a YAML overlay loads as an inventory with services', async () => {
    const dir = fixture('');
    const overlay = [
      `ansible: ${INI}`,
      'ssh:',
      '  knownHostsPath: ./known_hosts',
      '  privateKeyPath: ~/.ssh/id_ed25519',
      'hosts:',
      '  web-3:',
      '    services:',
      '      - { name: app, kind: node, health: "http://127.0.0.1:8081/healthz" }',
      'groups:',
      '  edge: [web-1, web-3]',
    ].join('\n');
    const path = `${dir}overlay.yml`;
    const source = await readInventorySource(overlay, path);
    const inventory = validateInventory(source, path, { homeDir: '/home/oncall' });
    const web3 = inventory.hosts.get('web-3');
    expect(web3?.address).toBe('10.0.0.13');
    expect(web3?.ssh).toMatchObject({
      user: 'ops',
      port: 2222,
      privateKeyPath: '/home/oncall/.ssh/diag_ed25519',
      knownHostsPath: `${dir}known_hosts`,
      jumpHost: 'bastion',
    });
    expect(web3?.jump?.name).toBe('bastion');
    expect(web3?.services.map((s) => s.name)).toEqual(['app']);
    expect(inventory.groups.get('edge')).toEqual(['web-1', 'web-3']);
    expect(inventory.groups.get('prod')).toHaveLength(5);
  });

  it('errors name the Ansible file, its line and the fix', async () => {
    const bad = '[web]\nweb-1 ansible_port=99999\n[web:vars]\nnot a variable\n';
    const error = await readInventorySource(bad, '/srv/hosts.ini').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InventoryError);
    expect((error as InventoryError).message).toContain('line 4: expected key=value in [web:vars]');
    expect((error as InventoryError).message).toContain('Fix: write the variable as name=value');

    const overlay = `ansible: ${INI}\nssh: { knownHostsPath: /k }\nhosts:\n  web-1:\n    ssh: { port: 70000 }\n`;
    const source = await readInventorySource(overlay, '/srv/overlay.yml');
    expect(() => validateInventory(source, '/srv/overlay.yml', { homeDir: '/h' })).toThrow(/\(line 5\)/);
    const portInIni = await readInventorySource(
      `ansible: ${fixture('bad-port.ini')}\nssh: { knownHostsPath: /k, user: u, privateKeyPath: /p }\n`,
      '/srv/overlay.yml',
    );
    expect(() => validateInventory(portInIni, '/srv/overlay.yml')).toThrow(
      /hosts\.web-1\.ssh\.port: .*\(bad-port\.ini line 2\)/,
    );
  });

  it('an Ansible file alone, without known_hosts from an ssh config, says how to give one', async () => {
    const error = await readInventorySource(readFileSync(INI, 'utf8'), INI).catch((e: unknown) => e);
    expect((error as InventoryError).message).toMatch(
      /--ssh-config FILE .*overlay with ansible: ansible-hosts.ini/,
    );
  });

  it("diagnose502's own YAML inventory is still read as before", () => {
    const inventory = parseInventory(
      'ssh: { user: u, privateKeyPath: /k, knownHostsPath: /kh }\nhosts:\n  web-1: { address: 10.0.0.1 }\n',
      '/srv/inventory.yml',
    );
    expect(inventory.hosts.get('web-1')?.address).toBe('10.0.0.1');
  });
});
