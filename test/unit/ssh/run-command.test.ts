import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandLine, shellQuote } from '../../../src/ssh/run-command.js';

describe('shellQuote', () => {
  const nasty = [
    'plain',
    '',
    "it's",
    'a b',
    '$(id)',
    '`id`',
    '; rm -rf /',
    'x\ny',
    '"q"',
    '\\',
    "'; echo pwned; '",
    '*',
  ];

  it('round-trips through a real POSIX shell unchanged', () => {
    for (const arg of nasty) {
      const out = execFileSync('sh', ['-c', `printf %s ${shellQuote(arg)}`], { encoding: 'utf8' });
      expect(out).toBe(arg);
    }
  });

  it('leaves simple words readable and quotes the rest', () => {
    expect(shellQuote('/var/log/nginx/error.log')).toBe('/var/log/nginx/error.log');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
  });

  it('refuses NUL bytes, which no argv can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('commandLine', () => {
  it('prefixes privileged commands with sudo -n on sudo hosts only', () => {
    expect(commandLine('ss -ltnp', { sudo: true, privileged: true })).toBe('sudo -n ss -ltnp');
    expect(commandLine('ss -ltnp', { sudo: true, privileged: false })).toBe('ss -ltnp');
    expect(commandLine('ss -ltnp', { sudo: false, privileged: true })).toBe('ss -ltnp');
  });

  it('runs a script that calls sudo itself unprivileged, with D502_SUDO set on sudo hosts only', () => {
    const script = "sh -c '$D502_SUDO ss -lnpH -t -x'";
    expect(commandLine(script, { sudo: true, privileged: false, sudoInside: true })).toBe(
      `D502_SUDO='sudo -n'; export D502_SUDO; ${script}`,
    );
    expect(commandLine(script, { sudo: false, privileged: false, sudoInside: true })).toBe(script);
  });
});
