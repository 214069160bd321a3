import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fillFromSshConfig } from '../../../src/inventory/ssh-config-fill.js';
import { botInventoryOptions, pickSshConfig } from '../../../src/inventory/ssh-config-inventory.js';
import { configNamesHost, parseSshG, resolveSshHost } from '../../../src/ssh/ssh-config.js';

const dir = mkdtempSync(join(tmpdir(), 'd502-sshg-'));
const config = join(dir, 'config');
writeFileSync(
  config,
  [
    'Host web-3',
    '  HostName 10.0.0.13',
    '  Port 2222',
    '  IdentityFile ~/.ssh/diag_%h',
    'Match host 10.0.0.13 user ops',
    '  ConnectTimeout 7',
    '  StrictHostKeyChecking no',
    'Host *',
    '  User diag',
    '',
  ].join('\n'),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ssh -G: hosts as the installed OpenSSH client resolves them', () => {
  it('applies Host and Match blocks, expands ~ and % tokens, and lets explicit values win', async () => {
    const home = userInfo().homedir;
    const plain = await resolveSshHost('web-3', { file: config });
    expect(plain).toMatchObject({
      hostname: '10.0.0.13',
      port: 2222,
      user: 'diag',
      strictHostKeyChecking: 'ask',
    });
    expect(plain.identityFiles).toEqual([`${home}/.ssh/diag_10.0.0.13`]);
    expect(plain.connectTimeoutS).toBeUndefined();
    // -l ops, as the inventory's explicit user: Match user ops now applies.
    const asOps = await resolveSshHost('web-3', { file: config }, { user: 'ops', port: 22 });
    expect(asOps).toMatchObject({ user: 'ops', port: 22, connectTimeoutS: 7, strictHostKeyChecking: 'no' });
  });

  it('never hands ssh an option or pattern as the host', async () => {
    await expect(resolveSshHost('-oProxyCommand=touch /tmp/x', { file: config })).rejects.toThrow(
      /is not a host name or address/,
    );
    await expect(resolveSshHost('web-*', { file: config })).rejects.toThrow(/is not a host name/);
  });

  it('tells a host the config names from one only `Host *` covers', async () => {
    expect(await configNamesHost('web-3', { file: config })).toBe(true);
    expect(await configNamesHost('web-33', { file: config })).toBe(false);
  });

  it('parses ssh -G output: ProxyJump hops, several known_hosts files, none', () => {
    const out =
      'hostname h\nuser u\nport 22\nproxyjump a@b:2,c\nuserknownhostsfile /k1 /k2\nproxycommand none\n';
    const r = parseSshG('x', out, '/home/u', 'u');
    expect(r.proxyJump).toEqual(['a@b:2', 'c']);
    expect(r.userKnownHostsFiles).toEqual(['/k1', '/k2']);
    expect(r.proxyCommand).toBeUndefined();
  });
});

describe('which ssh config is in use', () => {
  it('--ssh-config, then DIAGNOSE502_SSH_CONFIG; none turns it off; a missing file is an error', () => {
    expect(pickSshConfig({ flagPath: config, envPath: '/x', cwd: '/', userDefault: true })?.source).toEqual({
      file: config,
    });
    expect(pickSshConfig({ envPath: 'none', cwd: '/', userDefault: true })).toBeUndefined();
    expect(() => pickSshConfig({ envPath: '/no/such/config', cwd: '/', userDefault: false })).toThrow(
      /the ssh config \/no\/such\/config \(from DIAGNOSE502_SSH_CONFIG\) does not exist/,
    );
  });

  it('the bot uses only the config DIAGNOSE502_SSH_CONFIG names', () => {
    expect(botInventoryOptions({ inventoryPath: '/i.yml' }).sshConfig).toBeUndefined();
    expect(botInventoryOptions({ inventoryPath: '/i.yml', sshConfigPath: config }).sshConfig).toEqual({
      file: config,
    });
  });

  it('without an ssh client, fills nothing and says what is not honoured', async () => {
    const raw = { hosts: { 'web-3': { address: 'web-3' } } };
    const { notes } = await fillFromSshConfig(
      raw,
      { file: config, sshBinary: join(dir, 'no-ssh') },
      '/i.yml',
    );
    expect(raw.hosts['web-3']).toEqual({ address: 'web-3' });
    expect(notes.join('\n')).toMatch(
      /is not installed, so .* is not honoured \(HostName, User, Port, ProxyJump/,
    );
  });
});
