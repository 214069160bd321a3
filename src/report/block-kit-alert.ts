/**
 * The head of an alert group's thread (one message per Alertmanager/Grafana group and channel,
 * updated as hosts join and when it resolves) and the one-time note on hosts not in the inventory.
 * Pure functions of the group's state in Redis.
 */
import { cut } from './block-kit-limits.js';
import { context, header, message, section } from './block-kit-parts.js';
import type { SlackMessage } from './block-kit-types.js';
import { code, joinMd, type Md, md } from './mrkdwn.js';

export interface AlertGroupView {
  source: 'alertmanager' | 'grafana';
  title: string;
  status: 'firing' | 'resolved';
  /** ISO time the group resolved (shown while resolved). */
  resolvedAt?: string;
  /** Hosts whose diagnosis was queued for this thread, in arrival order. */
  diagnosed: readonly string[];
  /** Hosts diagnosed within the dedup window elsewhere (another group or an earlier firing). */
  recent: readonly string[];
  /** How many alert values named no inventory host. */
  unknown: number;
  dedupWindowS: number;
}

const SOURCE = { alertmanager: 'Alertmanager', grafana: 'Grafana' } as const;

const list = (hosts: readonly string[], max = 30): Md =>
  hosts.length <= max
    ? joinMd(hosts, ', ')
    : md`${joinMd(hosts.slice(0, max), ', ')} and ${hosts.length - max} more`;

export function renderAlertGroup(v: AlertGroupView): SlackMessage {
  const firing = v.status === 'firing';
  const head = firing ? `🔥 ${v.title}: firing` : `✅ ${v.title}: resolved`;
  const lines: Md[] = [];
  if (v.diagnosed.length > 0)
    lines.push(
      md`*${v.diagnosed.length} diagnos${v.diagnosed.length === 1 ? 'is' : 'es'} queued* (one per host, reports in this thread as they finish): ${list(v.diagnosed)}`,
    );
  if (v.recent.length > 0)
    lines.push(
      md`Already diagnosed in the last ${Math.round(v.dedupWindowS / 60)} min, not again: ${list(v.recent)}`,
    );
  if (v.unknown > 0)
    lines.push(
      md`${v.unknown} alert${v.unknown === 1 ? '' : 's'} named no inventory host: not diagnosed (see the thread)`,
    );
  if (lines.length === 0) lines.push(md`No inventory host named in these alerts: nothing to diagnose.`);
  const status = firing
    ? md`from ${SOURCE[v.source]}`
    : md`from ${SOURCE[v.source]} · resolved at ${v.resolvedAt ?? 'an unknown time'}`;
  const text = firing
    ? md`${v.title} firing: ${v.diagnosed.length} diagnos${v.diagnosed.length === 1 ? 'is' : 'es'} queued`
    : md`${v.title} resolved at ${v.resolvedAt ?? 'an unknown time'}`;
  return message(text, [header(cut(head, 150)), section(joinMd(lines, '\n')), context(status)]);
}

export function renderUnknownHosts(values: readonly string[]): SlackMessage {
  const text = md`Not in the inventory, so not diagnosed (never connected to): ${values.join(', ')}`;
  return message(text, [
    section(
      md`:grey_question: Not in the inventory, so not diagnosed (never connected to): ${joinMd(values.map(code), ', ')}
Add them under \`hosts:\` (matched on the alert labels in \`alerts.labels\`, port stripped).`,
    ),
  ]);
}
