/**
 * Block Kit of Watch (issue 20, src/watch/): the Watch button on a one-host report, the watch's own
 * message in the report's thread (one line edited in place each tick: `502/504 per min: 38 → 12 → 0`,
 * with a Stop button while it runs), its thread notices (worse, back, ended) and the answers to the
 * person who clicked. Pure functions of plain data; host names and target labels reach mrkdwn escaped.
 */
import type { WatchNotice, WatchSample, WatchState } from '../watch/watch-state.js';
import { button, context, message, section } from './block-kit-parts.js';
import type { Block, Button, SlackMessage } from './block-kit-types.js';
import { channelRef, code, emoji, joinMd, type Md, md, mention, text } from './mrkdwn.js';
import type { TargetReport } from './types.js';

export const ACTION_WATCH = 'd502_watch';
export const ACTION_WATCH_STOP = 'd502_watch_stop';

/** What the Watch button carries (parsed again when clicked); the Stop button adds the watch's id. */
export const watchValue = (host: string): string => JSON.stringify({ host });
export const stopValue = (host: string, id: string): string => JSON.stringify({ host, id });

/** The Watch button of a final report: one host only (a group's hosts each have their own report line). */
export function watchButtons(report: TargetReport): Button[] {
  const only = report.hosts.length === 1 ? report.hosts[0] : undefined;
  return only ? [button('Watch', ACTION_WATCH, watchValue(only.host))] : [];
}

/** Values shown on the line; older ones are summed up as `…`. */
const SHOWN = 12;
const clock = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)} UTC`;

/** `per min` for a one-minute interval, else `per 5 s`. */
export function perInterval(intervalMs: number): string {
  const s = Math.round(intervalMs / 1000);
  if (s === 60) return 'per min';
  return s % 60 === 0 ? `per ${s / 60} min` : `per ${s} s`;
}

const value = (s: WatchSample): string =>
  s.error !== undefined ? 'no answer' : s.rate === null ? '?' : String(s.rate);

/** The line's numbers: `38 → 12 → 0`, the oldest cut to `…` past SHOWN. */
export function rateSeries(samples: readonly WatchSample[]): string {
  const shown = samples.slice(-SHOWN).map(value);
  return `${samples.length > SHOWN ? '… → ' : ''}${shown.join(' → ')}`;
}

function upstreamsText(last: WatchSample | undefined): Md {
  if (!last) return md`reading the host …`;
  if (last.error !== undefined) return md`the host did not answer: ${last.error}`;
  if (last.unchecked !== undefined) return md`upstreams not checked: ${last.unchecked}`;
  if (last.checked === 0) return md`no upstream to check`;
  if (last.failing.length === 0) return md`upstreams: all ${last.checked} answer`;
  return md`upstreams: ${last.failing.length} of ${last.checked} do not answer (${joinMd(last.failing.slice(0, 5).map(code), ', ')})`;
}

/** The watch's line, as it reads now. */
export function watchLine(state: WatchState): Md {
  const last = state.samples.at(-1);
  const series =
    state.samples.length > 0
      ? md`502/504 ${perInterval(state.intervalMs)}: *${rateSeries(state.samples)}*`
      : md`502/504 ${perInterval(state.intervalMs)}: _first reading …_`;
  const head: Record<WatchState['status'], Md> = {
    active: md`${emoji('eyes')} *Watching ${state.host}*`,
    back: md`${emoji('white_check_mark')} *${state.host} is back*`,
    stopped: md`${emoji('octagonal_sign')} *Watch of ${state.host} stopped* by ${mention(state.stoppedBy ?? '')}`,
    ended: md`${emoji('hourglass')} *Watch of ${state.host} ended*: not clean ${state.cleanNeeded} times in a row`,
  };
  return md`${head[state.status]} · ${series} · ${upstreamsText(last)}`;
}

/** The watch's message in the report's thread: the line, who watches, and Stop while it runs. */
export function renderWatch(state: WatchState, watchers: readonly string[]): SlackMessage {
  const line = watchLine(state);
  const others = watchers.filter((w) => w !== state.startedBy);
  const who = md`started by ${mention(state.startedBy)}${others.length > 0 ? md`, also watching ${joinMd(others.map(mention), ', ')}` : ''}`;
  const plan =
    state.status === 'active'
      ? md`${perInterval(state.intervalMs).replace(/^per (min)?/, (_m, min) => (min ? 'every minute' : 'every '))} until ${clock(state.endsAt)}; back after ${state.cleanNeeded} clean in a row (no 502/504, every upstream answers)`
      : md`${state.tick} reading${state.tick === 1 ? '' : 's'}`;
  const blocks: Block[] = [section(line), context(who, plan)];
  if (state.status === 'active') {
    blocks.push({
      type: 'actions',
      block_id: 'd502_watch_actions',
      elements: [button('Stop watching', ACTION_WATCH_STOP, stopValue(state.host, state.id))],
    });
  }
  return message(line, blocks);
}

/** A thread message of the watch, naming everyone watching (so they are notified). */
export function renderWatchNotice(
  state: WatchState,
  notice: WatchNotice,
  watchers: readonly string[],
): SlackMessage {
  const to = watchers.length > 0 ? md` ${joinMd(watchers.map(mention), ' ')}` : md``;
  let said: Md;
  switch (notice.kind) {
    case 'worse': {
      const parts: Md[] = [];
      if (notice.rate)
        parts.push(
          md`502/504 ${perInterval(state.intervalMs)} rose from ${notice.rate.from} to ${notice.rate.to}`,
        );
      if (notice.upstreams)
        parts.push(md`${joinMd(notice.upstreams.map(code), ', ')} answered before and does not now`);
      said = md`${emoji('chart_with_upwards_trend')} *${state.host} is getting worse*: ${joinMd(parts, '; ')}.`;
      break;
    }
    case 'back':
      said = md`${emoji('white_check_mark')} *${state.host} is back*: ${notice.cleanTicks} clean readings in a row (no 502/504, every upstream answers). The watch has stopped.`;
      break;
    case 'ended':
      said = md`${emoji('hourglass')} *The watch of ${state.host} ended* without ${state.cleanNeeded} clean readings in a row; last: ${rateSeries(state.samples.slice(-3))}. Press Re-run for a full diagnosis.`;
      break;
  }
  const t = md`${said}${to}`;
  return message(t, [section(t)]);
}

/** To the clicker alone: the watch started, or it was already running (who watches it). */
export function renderWatchStarted(host: string): SlackMessage {
  return ephemeral(md`Watching ${code(host)}: the line in the report's thread is updated every reading.`);
}

export function renderWatchJoined(state: WatchState, watchers: readonly string[]): SlackMessage {
  return ephemeral(
    md`${code(state.host)} is already being watched (started by ${mention(state.startedBy)}; watching: ${joinMd(watchers.map(mention), ', ')}). You joined it: its line is in the thread of the report it was started from in ${channelRef(state.channel)}, until ${clock(state.endsAt)}.`,
  );
}

export function renderWatchStopAnswer(host: string, stopped: boolean): SlackMessage {
  return ephemeral(
    stopped
      ? md`Stopping the watch of ${code(host)}.`
      : md`The watch of ${code(host)} is not running any more.`,
  );
}

export function renderWatchRefused(why: string): SlackMessage {
  return ephemeral(text(why));
}

const ephemeral = (t: Md): SlackMessage => message(t, [section(t)]);
