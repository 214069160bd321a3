import { describe, expect, it } from 'vitest';
import { InventoryError } from '../../../src/inventory/errors.js';
import { parseInventory } from '../../../src/inventory/load-inventory.js';

const BASE = [
  'ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }',
  'hosts:',
  '  web-1: { address: 10.0.0.1, services: [{ name: app, restart: systemctl restart app }] }',
  '  web-2: { address: 10.0.0.2 }',
  'groups:',
  '  web: [web-1, web-2]',
];
const parse = (...restart: string[]) =>
  parseInventory([...BASE, ...restart, ''].join('\n'), '/inv/inventory.yml');
const problems = (...restart: string[]): string[] => {
  try {
    parse(...restart);
  } catch (err) {
    if (err instanceof InventoryError) return [...err.issues];
    throw err;
  }
  throw new Error('expected the inventory to be refused');
};

describe('the restart: policy of the inventory', () => {
  it('is absent by default: nobody may restart', () => {
    expect(parse().restart).toBeUndefined();
  });

  it('resolves durations, defaults and group targets to hosts', () => {
    const inv = parse(
      'restart:',
      '  allow:',
      '    - users: [U0123ABC]',
      '      usergroups: [S0456DEF]',
      '      targets: [web]',
      '    - users: [U0999ZZZ]',
      '  cooldown: 90s',
      '  expires: 15m',
    );
    expect(inv.restart).toEqual({
      allow: [
        { users: ['U0123ABC'], usergroups: ['S0456DEF'], hosts: ['web-1', 'web-2'] },
        { users: ['U0999ZZZ'], usergroups: [] },
      ],
      cooldownMs: 90_000,
      maxPerGroup: 1,
      expiresMs: 900_000,
      maxAgeMs: 120_000,
      dryRun: false,
    });
  });

  it('names the field, the line and the fix for each mistake, all at once', () => {
    const issues = problems(
      'restart:',
      '  allow:',
      '    - users: [alice]',
      '      targets: [wbe]',
      '    - targets: [web-1]',
      '  cooldown: 10 minutes',
      '  dryrun: true',
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^restart\.allow\[0\]\.users\[0\]: expected a Slack user id like U0123ABC .*\(line 9\)/,
        ),
        expect.stringMatching(/^restart\.cooldown: expected a duration like 30s, 10m or 1h/),
        expect.stringMatching(/^restart\.dryrun: unknown field \(did you mean dryRun\?\)/),
      ]),
    );
  });

  it('refuses targets that are not hosts or groups, and rules that allow nobody', () => {
    const issues = problems(
      'restart:',
      '  allow:',
      '    - users: [U0123ABC]',
      '      targets: [web1]',
      '    - targets: [web-1]',
    );
    expect(issues).toEqual([
      expect.stringMatching(
        /^restart\.allow\[0\]\.targets\[0\]: "web1" is neither a host nor a group .*did you mean web-1/,
      ),
      expect.stringMatching(/^restart\.allow\[1\]: a rule without users or usergroups allows nobody/),
    ]);
  });

  it('refuses an empty allow list (omit restart: instead)', () => {
    expect(problems('restart:', '  allow: []')[0]).toMatch(
      /^restart\.allow: .*omit restart: to allow nobody/,
    );
  });
});
