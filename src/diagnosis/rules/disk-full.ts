import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { summarize, windowUpstreamErrors, withSignature } from './log-signals.js';

const FULL_PCT = 97;

/**
 * Catalog C25: nginx cannot write its temp files (`pwrite() ".../client_temp/..." failed (28: No space
 * left on device)` -> 500; response side -> truncated bodies) or the disk of the app is full. A full
 * log partition also silences nginx's logs, so a full disk is reported even with an empty window.
 */
export function diskFullRule(ev: Evidence): Finding[] {
  const list = withSignature(ev, 'temp_file', 'no_space');
  const full = (ev.resources?.disks ?? []).filter(
    (d) => d.usedPct >= FULL_PCT || (d.inodesUsedPct ?? 0) >= FULL_PCT,
  );
  if (list.length === 0 && full.length === 0) return [];
  const enospc = list.filter((e) => e.errno === 28 || e.errno === 122);
  const eacces = list.filter((e) => e.errno === 13);
  const user = ev.nginx.workerUser ?? ev.nginx.config?.user?.split(' ')[0] ?? 'www-data';
  const temp = list.filter((e) => e.signature === 'temp_file');
  const path = /"([^"]+)"/.exec((temp.at(-1) ?? list.at(-1))?.message ?? '')?.[1];
  const tempDir = path?.replace(/\/\d+(\/\d+)*$/, '') ?? ev.nginx.config?.tempPaths[0];
  const permissionOnly = eacces.length > 0 && enospc.length === 0 && full.length === 0;
  const confidence =
    list.length > 0
      ? full.length > 0 || permissionOnly
        ? 0.96
        : 0.88
      : windowUpstreamErrors(ev).length > 0
        ? 0.6
        : 0.5;
  const mounts = full.map(
    (d) =>
      `${d.mount} ${d.usedPct}% used${d.inodesUsedPct !== undefined ? `, inodes ${d.inodesUsedPct}%` : ''}`,
  );
  return [
    {
      cause: 'disk-full',
      confidence,
      title: permissionOnly
        ? `nginx (${user}) may not write its temp path ${tempDir ?? ''}: large requests/responses fail`
        : `Disk full${mounts.length > 0 ? ` (${mounts.join('; ')})` : ''}${list.length === 0 ? '' : temp.length > 0 ? `: nginx cannot buffer to ${tempDir ?? 'its temp path'}` : `: nginx cannot write ${path ?? 'to disk'}`}`,
      evidence: [...summarize(ev, list), ...full.map((d) => d.line)],
      remediation: permissionOnly
        ? [
            `Give the temp dirs back to the worker user: chown -R ${user}: ${tempDir ?? '/var/lib/nginx'} (check with namei -l ${path ?? tempDir ?? '/var/lib/nginx/proxy'})`,
          ]
        : [
            `Find what filled it: df -h; df -i; du -xsh /var/log/* | sort -h | tail; lsof -nP +L1 | head (deleted but open files)`,
            'Free space safely: logrotate -f /etc/logrotate.conf; journalctl --vacuum-size=500M; clean caches you own.',
            `Move temp paths to a larger volume${ev.nginx.config?.tempPaths.length ? ` (${ev.nginx.config.tempPaths.join(', ')})` : ''}, or proxy_max_temp_file_size 0; for streaming endpoints.`,
          ],
      // Catalog C25: rotation/vacuum = GUARDED, chown of nginx temp dirs = GUARDED, deleting data = HUMAN.
      actions: permissionOnly
        ? [action('fix-temp-ownership', 'guarded', `chown nginx temp dirs to ${user}`)]
        : [
            action('free-disk-space', 'guarded', 'Rotate logs and vacuum the journal'),
            action('clean-disk', 'human', 'Decide which data to delete or move'),
          ],
    },
  ];
}
