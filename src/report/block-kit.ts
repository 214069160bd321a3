/**
 * Block Kit messages of the Slack bot, as pure functions of the plain report data: the live
 * "diagnosing …" message, the final report (one host, or a group), a failure, and the full
 * evidence file for the thread. Every message fits Slack's limits (block-kit-limits.ts) and has a
 * `text` fallback.
 */
import type { RestartOffer } from '../actions/restart-offer.js';
import type { Finding } from '../diagnosis/finding.js';
import type { CheckResult } from '../probes/check.js';
import { nativeChartBlocks } from './block-kit-chart.js';
import { type FeedbackStyle, feedbackBlocks } from './block-kit-feedback.js';
import { groupHistoryBlocks, historyBlocks } from './block-kit-history.js';
import { codeBlock, cut, LIMITS } from './block-kit-limits.js';
import {
  button,
  compactChecks,
  context,
  header,
  message,
  pct,
  seconds,
  section,
  windowText,
} from './block-kit-parts.js';
import { restartActionsBlock } from './block-kit-restart.js';
import { ruledOutBlocks, ruledOutFileLines } from './block-kit-ruled-out.js';
import type { Block, SlackMessage } from './block-kit-types.js';
import { watchButtons } from './block-kit-watch.js';
import { code, cutMd, emoji, joinMd, type Md, md, mention } from './mrkdwn.js';
import type { HostReport, TargetReport } from './types.js';

export type { SlackMessage } from './block-kit-types.js';

/** Button action ids (the Bolt listeners match on them). */
export const ACTION_RERUN = 'd502_rerun';
export const ACTION_EVIDENCE = 'd502_evidence';

export interface ReportMeta {
  /** Slack user id of who asked. */
  requestedBy: string;
  jobId: string;
  /** Restart buttons of the first finding (safe actions the inventory can run, see src/actions/). */
  restarts?: readonly RestartOffer[];
  /** The feedback control under the report (block-kit-feedback.ts); default `native`. */
  feedback?: FeedbackStyle;
  /** The 502/504 chart as Slack's `data_visualization` block too (block-kit-chart.ts), where the workspace has it. */
  nativeChart?: boolean;
}

/** What a Re-run button carries; parsed again (zod) when clicked. */
export const rerunValue = (target: string, sinceS: number): string => JSON.stringify({ target, sinceS });

// A Slack user id is mentioned; an alert source ("Alertmanager: HTTP502") is named as it is.
const who = mention;
const EVIDENCE_POINTER = (omitted: number) =>
  md`_… ${omitted} more line${omitted === 1 ? '' : 's'}: the full evidence is in the file in this thread_`;

/** The headline of one host: its first finding (findings come ranked, highest confidence first). */
function topFinding(h: HostReport): Finding | undefined {
  return h.findings[0];
}

/** What could not be checked, as one line: `error-log (timed out after 3 s)`. */
const notCheckedText = (h: HostReport) => h.notChecked.map((n) => `${n.check} (${n.reason})`).join('; ');

function verdictHeadline(h: HostReport): string {
  // Inconclusive (pipeline/verdict.ts): no cause, and an essential check could not run. Never "all clear".
  if (h.verdict === 'inconclusive') return `inconclusive: ${notCheckedText(h)} could not be checked`;
  const f = topFinding(h);
  // diagnose() always yields a finding; an empty list means nothing was concluded, never "all clear".
  return f ? f.title : 'no conclusion: no finding was produced';
}

export interface LiveHostState {
  host: string;
  checks: readonly CheckResult[];
  done: boolean;
}

/** The message while checks run: updated in place, throttled by the caller. */
export function renderProgress(
  progress: { target: string; sinceS: number; hosts: readonly LiveHostState[] },
  meta: ReportMeta,
): SlackMessage {
  const total = progress.hosts.length;
  const done = progress.hosts.filter((h) => h.done).length;
  const title = `Diagnosing ${progress.target} …`;
  const blocks: Block[] = [
    section(
      md`:hourglass_flowing_sand: *${title}* window ${windowText(progress.sinceS)}, asked by ${who(meta.requestedBy)}`,
    ),
  ];
  if (total === 1 && progress.hosts[0]) {
    const checks = progress.hosts[0].checks;
    blocks.push(section(checks.length > 0 ? compactChecks(checks) : md`_connecting over SSH …_`));
  } else {
    const lines = progress.hosts.map(
      (h) => md`${emoji(h.done ? 'white_check_mark' : 'hourglass')} ${h.host} (${h.checks.length} checks)`,
    );
    blocks.push(section(md`${done} of ${total} hosts done\n${joinMd(lines, '\n')}`));
  }
  return message(md`${title} (${done}/${total} hosts done)`, blocks);
}

function actionsBlock(report: TargetReport, meta: ReportMeta): Block {
  return {
    type: 'actions',
    block_id: 'd502_report_actions',
    elements: [
      button('Re-run', ACTION_RERUN, rerunValue(report.target, report.sinceS), 'primary'),
      button('Show all evidence', ACTION_EVIDENCE, meta.jobId),
      ...watchButtons(report),
    ],
  };
}

/** The finding's own actions are listed; the safe ones the inventory allows are buttons below. */
function findingActions(f: Finding, buttons: number): Md | undefined {
  if (f.actions.length === 0) return undefined;
  const list = joinMd(
    f.actions.map((a) => md`${a.label} (${a.kind})`),
    ' · ',
  );
  const note =
    buttons > 0
      ? ' (the safe ones have a button below)'
      : ' (no restart button: see "Safe restarts" in the README)';
  return md`*Actions*${note}: ${list}`;
}

function singleHost(report: TargetReport, h: HostReport, meta: ReportMeta, evidenceBudget: number): Block[] {
  const f = topFinding(h);
  const blocks: Block[] = [header(`${h.host}: ${verdictHeadline(h)}`)];
  const facts = [
    h.verdict === 'inconclusive'
      ? md`*inconclusive*: not "all clear"`
      : f
        ? md`*${f.cause}* · confidence ${pct(f.confidence)}`
        : md`*no conclusion*`,
    md`asked by ${who(meta.requestedBy)}`,
    md`window ${windowText(report.sinceS)}`,
    md`took ${seconds(h.durationMs)}`,
  ];
  blocks.push(section(joinMd(facts, ' · ')));
  blocks.push(...historyBlocks(h));
  if (meta.nativeChart) blocks.push(...nativeChartBlocks(report));
  if (f && f.evidence.length > 0 && evidenceBudget > 0) {
    blocks.push(section(md`*Evidence*\n${codeBlock(f.evidence, evidenceBudget - 20, EVIDENCE_POINTER)}`));
  }
  if (f && f.remediation.length > 0) {
    const steps = f.remediation.map((s, i) => md`${i + 1}. ${s}`);
    blocks.push(section(md`*What to do*\n${joinMd(steps, '\n')}`));
  }
  if (h.notChecked.length > 0) {
    const hand = h.notChecked.flatMap((n) => (n.byHand ? [code(n.byHand)] : []));
    const lines = h.notChecked.map((n) => md`• ${n.check}: ${n.reason}`);
    if (hand.length > 0) lines.push(md`By hand on ${h.address}: ${joinMd(hand, '; ')}`);
    blocks.push(section(md`*Not checked*\n${joinMd(lines, '\n')}`));
  }
  const actions = f && findingActions(f, meta.restarts?.length ?? 0);
  if (actions) blocks.push(context(actions));
  if (meta.restarts && meta.restarts.length > 0) blocks.push(restartActionsBlock(meta.restarts));
  const others = h.findings.slice(1, 6);
  if (others.length > 0) {
    const lines = others.map((o) => md`• ${o.title} (${code(o.cause)}, ${pct(o.confidence)})`);
    const more = h.findings.length - 1 - others.length;
    if (more > 0) lines.push(md`_… and ${more} more in the evidence file_`);
    blocks.push(section(md`*Also found*\n${joinMd(lines, '\n')}`));
  }
  blocks.push(...ruledOutBlocks(h));
  if (h.checks.length > 0) blocks.push(section(md`*Checks*\n${compactChecks(h.checks)}`));
  return blocks;
}

/** Hosts grouped by their first finding's cause: the larger groups agree, the single ones stand out. */
function groupHosts(report: TargetReport, meta: ReportMeta): Block[] {
  const byCause = new Map<string, HostReport[]>();
  for (const h of report.hosts) {
    const key = h.verdict === 'inconclusive' ? 'inconclusive' : (topFinding(h)?.cause ?? 'no conclusion');
    byCause.set(key, [...(byCause.get(key) ?? []), h]);
  }
  const groups = [...byCause.entries()].sort((a, b) => b[1].length - a[1].length);
  const withCause = report.hosts.filter((h) => h.verdict === 'cause-found').length;
  const inconclusive = report.hosts.filter((h) => h.verdict === 'inconclusive').length;
  const blocks: Block[] = [
    header(
      `${report.target}: ${withCause} of ${report.hosts.length} hosts with a 502 cause${inconclusive > 0 ? `, ${inconclusive} inconclusive` : ''}`,
    ),
    section(md`asked by ${who(meta.requestedBy)} · window ${windowText(report.sinceS)}`),
    ...groupHistoryBlocks(report.hosts),
    ...(meta.nativeChart ? nativeChartBlocks(report) : []),
  ];
  const majority = groups[0]?.[1].length ?? 0;
  for (const [cause, hosts] of groups) {
    if (blocks.length >= LIMITS.blocksPerMessage - 3) break;
    const odd = groups.length > 1 && hosts.length < majority && hosts.length === 1;
    const lines = hosts.map((h) => {
      const f = topFinding(h);
      const conf = f && h.verdict !== 'inconclusive' ? pct(f.confidence) : '-';
      return md`• ${h.host}: ${cut(verdictHeadline(h), 120)} · ${conf} · ${seconds(h.durationMs)}`;
    });
    const title = odd
      ? md`*Odd one out: ${code(cause)}*`
      : md`*${code(cause)}* (${hosts.length} host${hosts.length === 1 ? '' : 's'})`;
    // A long list is cut: the evidence file has every host.
    let text = md`${title}\n${joinMd(lines, '\n')}`;
    if (text.text.length > LIMITS.sectionText)
      text = md`${cutMd(text, LIMITS.sectionText - 60)}\n_… the rest are in the evidence file_`;
    blocks.push(section(text));
  }
  return blocks;
}

/** The final report: one host in full, a group as a line per host. */
export function renderReport(report: TargetReport, meta: ReportMeta): SlackMessage {
  const only = report.hosts.length === 1 ? report.hosts[0] : undefined;
  const top = only && topFinding(only);
  const text = only
    ? md`${only.host}: ${verdictHeadline(only)}${top ? ` (${top.cause}, ${pct(top.confidence)})` : ''}`
    : md`${report.target}: diagnosis of ${report.hosts.length} hosts`;
  // Shrink the evidence until the whole message is under Slack's total size.
  for (const budget of [LIMITS.sectionText, 2000, 1200, 600, 0]) {
    const body = only ? singleHost(report, only, meta, budget) : groupHosts(report, meta);
    const blocks = [
      ...body,
      // The verdict's feedback control, just above the report's own buttons (block-kit-feedback.ts).
      ...feedbackBlocks(report, meta.jobId, meta.feedback),
      actionsBlock(report, meta),
    ].slice(0, LIMITS.blocksPerMessage);
    if (JSON.stringify(blocks).length <= LIMITS.totalBlocksJson || budget === 0) {
      return message(text, blocks);
    }
  }
  throw new Error('unreachable: the last budget always returns');
}

/** Said in place of the report when no diagnosis could be made (never an "all clear"). */
export function renderFailure(
  target: string,
  reason: string,
  willRetry: boolean,
  meta: ReportMeta,
): SlackMessage {
  const head = willRetry
    ? md`:warning: The diagnosis of ${target} failed; it will be retried.`
    : md`:x: The diagnosis of ${target} could not be made, so nothing is concluded.`;
  return message(md`${head} ${reason}`, [
    section(md`${head}\n>${cut(reason, 2000)}`),
    context(md`asked by ${who(meta.requestedBy)}`),
  ]);
}

/** Every finding of every host, in full, as the text file posted in the report's thread. */
export function renderEvidenceFile(report: TargetReport): string {
  const out: string[] = [
    `diagnose502 ${report.target} (window ${windowText(report.sinceS)}, started ${report.startedAt})`,
    '',
  ];
  for (const h of report.hosts) {
    out.push(`== ${h.host} (${h.address}) in ${seconds(h.durationMs)}`);
    if (h.history) out.push(`   history: ${h.history.summary}`);
    for (const [i, f] of h.findings.entries()) {
      out.push('', `${i + 1}. [${f.cause}] ${pct(f.confidence)} ${f.title}`, '   evidence:');
      for (const line of f.evidence) out.push(`     ${line}`);
      if (f.remediation.length > 0) out.push('   what to do:');
      for (const [j, step] of f.remediation.entries()) out.push(`     ${j + 1}. ${step}`);
      if (f.actions.length > 0)
        out.push(`   actions: ${f.actions.map((a) => `${a.label} (${a.kind})`).join('; ')}`);
    }
    out.push(...ruledOutFileLines(h));
    out.push('', '   checks:');
    for (const c of h.checks)
      out.push(`     ${c.status.padEnd(7)} ${c.id}: ${c.summary} (${c.durationMs} ms)`);
    out.push('');
  }
  return out.join('\n');
}
