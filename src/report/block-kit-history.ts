/**
 * The history line of a report in Block Kit (src/history/history-line.ts): one context block,
 * e.g. ":repeat: 2nd time this week (upstream-down) · previous report (linked) · last fixed by a
 * restart of app by @alice, verified". Every value is escaped (mrkdwn.ts); the link is the
 * permalink Slack gave, the person a mention of a validated user id.
 */
import { historyHead, restartWords } from '../history/history-line.js';
import { context } from './block-kit-parts.js';
import type { Block } from './block-kit-types.js';
import { emoji, joinMd, type Md, md, mention, permalink } from './mrkdwn.js';
import type { HostReport } from './types.js';

const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function historyMd(h: NonNullable<HostReport['history']>, host?: string): Md {
  const parts: Md[] = [
    md`${emoji(h.seenBefore ? 'repeat' : 'new')} ${host ? md`*${host}*: ` : ''}${h.seenBefore ? md`*${historyHead(h)}*` : md`${historyHead(h)}`}`,
  ];
  if (h.previous) {
    const when = utc(h.previous.at);
    parts.push(
      h.previous.permalink
        ? md`${permalink(h.previous.permalink, 'previous report')} ${when}`
        : md`previous report ${when}`,
    );
  }
  if (h.lastRestart) {
    // The person is a mention of a validated user id (or escaped text), the words around it escaped.
    const w = restartWords(h.lastRestart);
    parts.push(md`${w.before}${mention(h.lastRestart.who)}${w.after}`);
  }
  return joinMd(parts, ' · ');
}

/** The one-host report's history block (none without history). */
export function historyBlocks(h: HostReport): Block[] {
  return h.history ? [context(historyMd(h.history))] : [];
}

/** A group report: one line per host seen before (hosts seen for the first time are not listed). */
export function groupHistoryBlocks(hosts: readonly HostReport[]): Block[] {
  const seen = hosts.filter((h) => h.history?.seenBefore);
  if (seen.length === 0) return [];
  const lines = seen.slice(0, 10).flatMap((h) => (h.history ? [historyMd(h.history, h.host)] : []));
  return [context(...lines)];
}
