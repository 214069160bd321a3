/**
 * Least privilege: every command diagnose502 runs as root on a `sudo: true` host, one fixed command
 * line each (the probes call them as `$D502_SUDO program args`, the restart protocol as well), so a
 * sudoers file can allow exactly these and nothing else (`diagnose502 sudoers`). Arguments that vary
 * (a pid, the window in seconds, a log offset) are matched by an anchored regular expression
 * (sudoers 1.9.10+); paths come from the inventory. Everything else runs as the SSH user.
 *
 * Which probes need root, and why:
 * - error-log, access-log (`tail`): nginx logs are `www-data:adm 0640` (Debian), `nginx 0600` (RHEL).
 * - nginx-config (`nginx -T`): reads the config and the TLS key paths it includes as root.
 * - nginx-fds (`ls /proc/PID/fd`): another user's fd table.
 * - kernel-log (`dmesg`, `journalctl -k`): kernel.dmesg_restrict, the journal's group.
 * - security (`cat audit.log`, `nft`, `iptables`): root-only files and netlink.
 * - sockets (`ss -p`): the owning processes of other users' sockets.
 * - upstreams (`test -w`, `curl --unix-socket` as the nginx worker user): whether the worker may
 *   write to, and connect to, a unix socket the SSH user cannot open.
 * - app-services (`tail` of app logs, `journalctl -u`): the apps' own files and journal.
 * - restart protocol: the error log read again, `nginx -t`, `nginx -s reload`, each `restart` command.
 * processes, system and app-health need none.
 */

import { ERROR_LINE_TAIL_BYTES } from '../actions/remote-scripts.js';
import type { ResolvedHost } from '../inventory/types.js';
import { CONNECT_TIMEOUT_S } from './defs/common.js';
import { LOG_TAIL_BYTES } from './defs/log-tail.js';

export interface PrivilegedCommand {
  /** The program, by name (the sudoers file lists its usual absolute paths). */
  program: string;
  /** Its exact arguments, or an anchored regex `^...$` over all of them. */
  args: string;
  /** Who it runs as: root, or any user but root (as the nginx worker user: `test -w`, a socket connect). */
  runAs: 'root' | 'ALL';
  /** The probe or step that runs it. */
  by: string;
}

/** Regex text that matches `text` literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const fixed = (program: string, args: string, by: string): PrivilegedCommand => ({
  program,
  args,
  runAs: 'root',
  by,
});

/** The privileged commands the probes and the restart protocol run on `hosts`, each once. */
export function privilegedCommands(hosts: readonly ResolvedHost[]): PrivilegedCommand[] {
  const out: PrivilegedCommand[] = [
    fixed('nginx', '-v -T', 'nginx-config'),
    fixed('ls', '^/proc/[0-9]+/fd$', 'nginx-fds'),
    fixed('dmesg', '^--time-format iso --since -[0-9]+s$', 'kernel-log'),
    fixed('dmesg', '--time-format iso', 'kernel-log'),
    fixed('journalctl', '^-k -o short-iso --no-pager --since -[0-9]+s$', 'kernel-log'),
    fixed('cat', '/var/log/audit/audit.log', 'security'),
    fixed('nft', 'list ruleset', 'security'),
    fixed('iptables', '-S', 'security'),
    fixed('ss', '-lnpH -t -x', 'sockets'),
    { program: 'test', args: '^-w /[A-Za-z0-9._@/+-]+$', runAs: 'ALL', by: 'upstreams' },
    {
      program: 'curl',
      args: `^-sS -o /dev/null --max-time ${CONNECT_TIMEOUT_S} --unix-socket /[A-Za-z0-9._@/+-]+ http://localhost/$`,
      runAs: 'ALL',
      by: 'upstreams',
    },
    fixed('nginx', '-t', 'restart pre-check (nginx reload)'),
    fixed('nginx', '-s reload', 'nginx reload'),
  ];
  for (const h of hosts) {
    for (const log of [h.nginx.errorLog, h.nginx.accessLog])
      out.push(fixed('tail', `-c ${LOG_TAIL_BYTES} -- ${log}`, 'error-log, access-log'));
    const e = h.nginx.errorLog;
    out.push(
      fixed('tail', `-c ${ERROR_LINE_TAIL_BYTES} -- ${e}`, 'restart checks: the failing request'),
      fixed('stat', `-c %s -- ${e}`, 'restart checks: the error log size'),
      fixed('tail', `^-c \\+[0-9]+ -- ${literal(e)}$`, 'restart checks: new upstream errors'),
    );
    for (const s of h.services) {
      for (const l of s.logs) {
        if (l.kind === 'file') out.push(fixed('tail', `-c 1048576 -- ${l.path}`, 'app-services'));
        else
          out.push(
            fixed(
              'journalctl',
              `^-u ${literal(l.unit)} --since -[0-9]+s -o short-iso --no-pager$`,
              'app-services',
            ),
          );
      }
    }
  }
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = `${c.runAs} ${c.program} ${c.args}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
