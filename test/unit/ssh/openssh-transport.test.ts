import { describe, expect, it } from 'vitest';
import type { ConnectTarget } from '../../../src/ssh/connect.js';
import { connectError, strictOptions } from '../../../src/ssh/openssh-transport.js';
import { hasCertAuthorityFor } from '../../../src/ssh/pick-transport.js';

const ssh = {
  user: 'diag',
  port: 22,
  privateKeyPath: '/k/id',
  knownHostsPath: '/k/known hosts',
  connectTimeoutMs: 5000,
  sudo: false,
};
const web: ConnectTarget = {
  name: 'web-3',
  address: '10.0.0.13',
  ssh,
  jump: { name: 'bastion', address: '203.0.113.10', ssh: { ...ssh, port: 2200, user: "o'neil" } },
};

describe('the OpenSSH transport: options and errors', () => {
  it('is as strict as the default transport: no config file, batch mode, only our known_hosts', () => {
    const args = strictOptions({ ...web, jump: undefined } as ConnectTarget);
    expect(args.slice(0, 2)).toEqual(['-F', 'none']);
    for (const o of [
      'BatchMode=yes',
      'StrictHostKeyChecking=yes',
      'UserKnownHostsFile=/k/known hosts',
      'GlobalKnownHostsFile=/dev/null',
    ])
      expect(args).toContain(o);
  });

  it("reaches a jump host with the jump host's own strict options, every value shell-quoted", () => {
    const proxy = strictOptions(web).find((a) => a.startsWith('ProxyCommand='));
    expect(proxy).toContain('ssh -F none -o BatchMode=yes');
    expect(proxy).toContain("-l 'o'\\''neil'");
    expect(proxy).toContain("'UserKnownHostsFile=/k/known hosts'");
    expect(proxy).toMatch(/-W %h:%p -- 203\.0\.113\.10$/);
  });

  it("turns ssh's messages into the coded errors of the default transport", () => {
    expect(connectError(web, 'Host key verification failed.').code).toBe('host-key-mismatch');
    expect(connectError(web, '@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@').code).toBe(
      'host-key-mismatch',
    );
    expect(connectError(web, 'diag@10.0.0.13: Permission denied (publickey).')).toMatchObject({
      reason: 'auth-failed',
    });
    expect(connectError(web, 'ssh: connect to host 10.0.0.13 port 22: Connection refused')).toMatchObject({
      reason: 'ECONNREFUSED',
    });
  });

  it('finds the @cert-authority lines that apply to a host (patterns, ports, negation)', () => {
    const text =
      '@cert-authority *.example.com,!db.example.com ssh-ed25519 AAAA\n[10.0.0.13]:2222 ssh-ed25519 AAAA\n';
    expect(hasCertAuthorityFor(text, 'web.example.com', 22)).toBe(true);
    expect(hasCertAuthorityFor(text, 'db.example.com', 22)).toBe(false);
    expect(hasCertAuthorityFor(text, '10.0.0.13', 2222)).toBe(false);
  });
});
