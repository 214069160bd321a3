/**
 * The "Ruled out" part of a host's report (issue 20 item 1): the causes its checks excluded, one
 * line of evidence each, so a reader sees why the verdict is the verdict. In Slack one small context
 * block of the first few (the evidence file in the thread has them all).
 */
import { context } from './block-kit-parts.js';
import type { Block } from './block-kit-types.js';
import { code, joinMd, md } from './mrkdwn.js';
import type { HostReport } from './types.js';

/** Lines shown in the message; the rest are counted ("+3 more") and are in the evidence file. */
export const RULED_OUT_SHOWN = 6;

/** None, or one context block: `*Ruled out*` and a line per cause. */
export function ruledOutBlocks(h: HostReport): Block[] {
  const all = h.ruledOut ?? [];
  if (all.length === 0) return [];
  const lines = all.slice(0, RULED_OUT_SHOWN).map((r) => md`${code(r.cause)} ${r.evidence}`);
  const more = all.length - RULED_OUT_SHOWN;
  if (more > 0) lines.push(md`_+${more} more in the evidence file_`);
  return [context(md`*Ruled out*\n${joinMd(lines, '\n')}`)];
}

/** Every ruled-out cause, for the evidence file in the thread (plain text). */
export function ruledOutFileLines(h: HostReport): string[] {
  const all = h.ruledOut ?? [];
  if (all.length === 0) return [];
  return ['', '   ruled out:', ...all.map((r) => `     ${r.cause}: ${r.evidence}`)];
}
