/**
 * The bot's Home tab (views.publish, a `home` view), as a pure function of plain data: recent
 * diagnoses (host, cause, when, a link to the report), hosts under Watch, restart locks held, and
 * the feedback tally per cause. Every value is escaped (report/mrkdwn.ts); at most 100 blocks
 * (docs.slack.dev "App Home"), each section under Slack's 3000 characters.
 */

import type { CauseTally } from '../feedback/feedback-store.js';
import type { ReportSummary } from '../history/report-summary.js';
import { LIMITS } from '../report/block-kit-limits.js';
import { context, header, pct, section } from '../report/block-kit-parts.js';
import type { Block } from '../report/block-kit-types.js';
import { channelRef, code, joinMd, type Md, md, mention, permalink } from '../report/mrkdwn.js';
import type { ActiveWatch } from '../watch/watch-state.js';
import type { HeldLock } from './restart-locks.js';

export const HOME_MAX_BLOCKS = 100;
/** Recent diagnoses listed (the history keeps more). */
export const HOME_RECENT = 20;

export interface HomeData {
  now: number;
  retentionDays: number;
  recent: readonly ReportSummary[];
  watches: readonly ActiveWatch[];
  locks: readonly HeldLock[];
  tally: readonly CauseTally[];
}

export interface HomeView {
  type: 'home';
  blocks: Block[];
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function ago(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  return h < 48 ? `${h} h ago` : `${Math.round(h / 24)} days ago`;
}

/** Lines under a bold title, as many as fit in one section; the rest counted, never cut mid-line. */
function listSection(title: string, lines: readonly Md[], none: string): Block {
  if (lines.length === 0) return section(md`*${title}*\n_${none}_`);
  const kept: Md[] = [];
  let size = title.length + 10;
  for (const [i, line] of lines.entries()) {
    if (size + line.text.length + 1 > LIMITS.sectionText - 40) {
      kept.push(md`_… and ${lines.length - i} more_`);
      break;
    }
    kept.push(line);
    size += line.text.length + 1;
  }
  return section(md`*${title}*\n${joinMd(kept, '\n')}`);
}

function recentLine(s: ReportSummary, now: number): Md {
  const where = s.permalink ? permalink(s.permalink, s.host) : md`*${s.host}*`;
  const what =
    s.cause !== undefined
      ? md`${code(s.cause)}${s.confidence !== undefined ? md` ${pct(s.confidence)}` : ''}`
      : md`_${s.verdict}_`;
  const asked = s.target !== s.host ? md` (in ${code(s.target)})` : '';
  const channel = s.channel ? md` · ${channelRef(s.channel)}` : '';
  return md`• ${where}${asked} · ${what} · ${utc(s.at)} (${ago(now - s.at)})${channel}`;
}

function watchLine(w: ActiveWatch, now: number): Md {
  const rate = w.lastRate !== undefined ? md` · 502/min now ${w.lastRate}` : md` · no reading yet`;
  const left = Math.max(0, Math.ceil((w.endsAt - now) / 60_000));
  return md`• *${w.host}*${rate} · watched by ${mention(w.startedBy)} · until ${utc(w.endsAt)} (${left} min left) · ${channelRef(w.channel)}`;
}

function lockLine(l: HeldLock, now: number): Md {
  const left = Math.max(0, Math.ceil((l.expiresAt - now) / 1000));
  return md`• ${code(l.service)} on *${l.host}* · held by restart job ${code(l.holder)} · frees itself within ${left} s unless released`;
}

function tallyLine(t: CauseTally): Md {
  const votes = t.right + t.wrong;
  const share = votes > 0 ? md` (${Math.round((100 * t.right) / votes)}% right)` : '';
  return md`• ${code(t.cause)}: ${t.right} right · ${t.wrong} wrong${share}`;
}

export function renderHome(d: HomeData): HomeView {
  const blocks: Block[] = [
    header('diagnose502'),
    context(
      md`As of ${utc(d.now)} · ${code('/diagnose502 <host>')} in a channel starts a diagnosis · history kept ${d.retentionDays} days`,
    ),
    { type: 'divider' },
    listSection(
      'Recent diagnoses',
      d.recent.slice(0, HOME_RECENT).map((s) => recentLine(s, d.now)),
      `no diagnosis in the last ${d.retentionDays} days`,
    ),
    { type: 'divider' },
    listSection(
      'Hosts under Watch',
      d.watches.map((w) => watchLine(w, d.now)),
      'no host is being watched (the Watch button on a report starts one)',
    ),
    { type: 'divider' },
    listSection(
      'Restart locks held',
      d.locks.map((l) => lockLine(l, d.now)),
      'none: no restart is running',
    ),
    { type: 'divider' },
    listSection(
      'Feedback per cause',
      d.tally.map(tallyLine),
      'no feedback yet (the buttons under each report)',
    ),
  ];
  return { type: 'home', blocks: blocks.slice(0, HOME_MAX_BLOCKS) };
}
