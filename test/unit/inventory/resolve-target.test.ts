import { describe, expect, it } from 'vitest';
import { InventoryError } from '../../../src/inventory/errors.js';
import { parseInventory } from '../../../src/inventory/load-inventory.js';
import { resolveTarget } from '../../../src/inventory/resolve-target.js';

const FILE = '/srv/inventory.yml';
const inventory = parseInventory(
  `
ssh: { user: diag, privateKeyPath: /k, knownHostsPath: /kh }
hosts:
  web-1: { address: 10.0.0.11 }
  web-2: { address: 10.0.0.12 }
  web-3: { address: 10.0.0.13, ssh: { port: 2222 } }
  db.example.com: { address: db.example.com }
  lab-a: { address: 127.0.0.1, ssh: { port: 2201 } }
  lab-b: { address: 127.0.0.1, ssh: { port: 2202 } }
  v6: { address: "fd00::5" }
groups:
  web: [web-3, web-1, web-2, web-1]
`,
  FILE,
);

function refusal(text: string): InventoryError {
  try {
    resolveTarget(inventory, text);
  } catch (error) {
    if (error instanceof InventoryError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

const names = (text: string) => resolveTarget(inventory, text).map((h) => h.name);

describe('resolveTarget', () => {
  it('resolves a host name, ignoring case and surrounding spaces', () => {
    expect(names('web-3')).toEqual(['web-3']);
    expect(names(' WEB-3 ')).toEqual(['web-3']);
    expect(names('db.example.com')).toEqual(['db.example.com']);
    expect(resolveTarget(inventory, 'web-3')[0]?.ssh.port).toBe(2222);
  });

  it('resolves a group to its hosts in the listed order, without duplicates', () => {
    expect(names('web')).toEqual(['web-3', 'web-1', 'web-2']);
  });

  it('resolves a host by its address (IPv4 and IPv6)', () => {
    expect(names('10.0.0.12')).toEqual(['web-2']);
    expect(names('fd00::5')).toEqual(['v6']);
  });

  it('refuses an address shared by several hosts, naming them', () => {
    const error = refusal('127.0.0.1');
    expect(error.code).toBe('target-ambiguous');
    expect(error.suggestions).toEqual(['lab-a', 'lab-b']);
    expect(error.message).toMatch(/lab-a \(port 2201\), lab-b \(port 2202\)/);
  });

  it('refuses unknown names with close matches and how to add one', () => {
    const error = refusal('web3');
    expect(error.code).toBe('target-unknown');
    expect(error.suggestions[0]).toBe('web-3');
    expect(error.message).toMatch(/Did you mean: web-3/);
    expect(error.message).toContain(`add the host to ${FILE} under hosts:`);
    expect(refusal('10.0.0.99').code).toBe('target-unknown');
    expect(refusal('constructor').code).toBe('target-unknown');
    expect(refusal('toString').code).toBe('target-unknown');
  });

  it.each([
    'web-1; rm -rf /',
    '$(id)',
    '`id`',
    'web 1',
    'web-1\n',
    'web-1|cat',
    '../etc/passwd',
    '-oProxyCommand=x',
    "web'1",
    'web-1&',
    '',
    'a'.repeat(300),
  ])('refuses shell metacharacters and malformed text before lookup: %j', (text) => {
    const error = refusal(text.replace(/\n$/, '\nx'));
    expect(error.code).toBe('target-invalid');
    expect(error.message).toMatch(/only letters, digits/);
  });
});
