import { createColors } from 'picocolors';
import type { Finding } from '../diagnosis/finding.js';
import { formatWindow } from '../parse/format-window.js';
import type { CheckResult, CheckStatus } from '../probes/check.js';
import { ruledOutTerminal } from './render-terminal-ruled-out.js';
import { forTerminal } from './terminal-text.js';
import type { HostReport, TargetReport } from './types.js';

type Colors = ReturnType<typeof createColors>;

const MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', error: '?', skipped: '-' };

function paintStatus(c: Colors, status: CheckStatus, text: string): string {
  switch (status) {
    case 'ok':
      return c.green(text);
    case 'warn':
      return c.yellow(text);
    case 'fail':
      return c.red(text);
    case 'error':
      return c.magenta(text);
    case 'skipped':
      return c.dim(text);
  }
}

/**
 * The live line printed as each check finishes. Like every renderer here, it escapes what came from
 * the host first (terminal-text.ts), then adds its own colours.
 */
export function renderCheckLine(rawHost: string, rawCheck: CheckResult, color: boolean): string {
  const c = createColors(color);
  const host = forTerminal(rawHost);
  const check = forTerminal(rawCheck);
  const mark = paintStatus(c, check.status, MARK[check.status]);
  return `  ${mark} ${c.dim(host)} ${check.id.padEnd(14)} ${check.summary} ${c.dim(`${check.durationMs} ms`)}`;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

function renderFinding(c: Colors, f: Finding, headline: boolean): string[] {
  const out: string[] = [];
  const label = headline ? c.bold(c.red(f.cause)) : c.bold(f.cause);
  out.push(`  ${headline ? 'VERDICT ' : '        '}${label} ${c.dim(`(${pct(f.confidence)})`)} ${f.title}`);
  if (!headline) return out;
  if (f.evidence.length > 0) {
    out.push('', `  ${c.bold('Evidence')}`);
    for (const e of f.evidence) out.push(...e.split('\n').map((l) => `    ${c.dim('│')} ${l}`));
  }
  if (f.remediation.length > 0) {
    out.push('', `  ${c.bold('What to do')}`);
    for (const [i, r] of f.remediation.entries()) out.push(`    ${i + 1}. ${r}`);
  }
  if (f.actions.length > 0) {
    out.push('', `  ${c.bold('Actions')}`);
    for (const a of f.actions) {
      const kind =
        a.kind === 'safe' ? c.green(a.kind) : a.kind === 'guarded' ? c.yellow(a.kind) : c.cyan(a.kind);
      out.push(`    [${kind}] ${a.label} ${c.dim(`(${a.id})`)}`);
    }
  }
  return out;
}

/** No cause, and an essential check could not run: say so instead of "nothing found". */
function renderInconclusive(c: Colors, report: HostReport): string[] {
  const what = report.notChecked.map((n) => n.check).join(' and ');
  const hand = report.notChecked.flatMap((n) => (n.byHand ? [n.byHand] : []));
  return [
    `  VERDICT ${c.bold(c.yellow('inconclusive'))} no 502/504 cause found, but ${what} could not be checked: this is not "all clear"`,
    '',
    `  ${c.bold('Not checked')}`,
    ...report.notChecked.map((n) => `    ${c.magenta('?')} ${n.check}: ${n.reason}`),
    '',
    `  ${c.bold('What to do')}`,
    '    1. Make the checks above runnable (a stalled file system, a stuck resolver, sudo -n, permissions), then run diagnose502 again.',
    ...(hand.length > 0 ? [`    2. Meanwhile, by hand on ${report.address}: ${hand.join('; ')}`] : []),
  ];
}

export function renderHost(raw: HostReport, color: boolean): string {
  const c = createColors(color);
  const report = forTerminal(raw);
  const out: string[] = [`${c.bold(report.host)} ${c.dim(`(${report.address}) in ${report.durationMs} ms`)}`];
  // Seen before (src/history/, the bot's worker fills it; the CLI has none): escaped like the rest.
  if (report.history) out.push(`  ${c.bold('History')} ${report.history.summary}`);
  // An inconclusive host has no finding with a cause (verdict.ts); its answer is what it could not
  // check, and its findings (502s counted meanwhile) are context, listed after it.
  const [first, ...others] = report.findings;
  const rest = report.verdict === 'inconclusive' ? report.findings : others;
  if (report.verdict === 'inconclusive') out.push(...renderInconclusive(c, report));
  else if (first) out.push(...renderFinding(c, first, true));
  if (report.verdict === 'cause-found' && report.notChecked.length > 0) {
    out.push(
      '',
      `  ${c.bold('Not checked')} ${report.notChecked.map((n) => `${n.check} (${n.reason})`).join('; ')}`,
    );
  }
  if (rest.length > 0) {
    out.push('', `  ${c.bold(report.verdict === 'inconclusive' ? 'Also seen (not a cause)' : 'Also found')}`);
    for (const f of rest) {
      if (f.context) out.push(`    ${f.title}`);
      else out.push(...renderFinding(c, f, false));
    }
  }
  out.push(...ruledOutTerminal(c, report));
  out.push('', `  ${c.bold('Checks')}`);
  for (const check of report.checks) {
    out.push(
      `    ${paintStatus(c, check.status, MARK[check.status])} ${check.id.padEnd(14)} ${check.summary}`,
    );
  }
  // Which logs were read (issue 18): every file nginx writes, per site, rotated ones, and those not read.
  if (report.logsRead && report.logsRead.length > 0) {
    out.push('', `  ${c.bold('Logs')}`);
    for (const l of report.logsRead) {
      const sites = l.sites.length > 0 ? ` (${l.sites.join(' ')})` : '';
      const rotated = l.rotatedFrom ? `, rotated from ${l.rotatedFrom}` : '';
      out.push(
        `    ${l.read ? 'read' : 'not read'} ${l.kind} ${l.path}${sites}${rotated}${l.why ? `: ${l.why}` : ''}`,
      );
    }
  }
  return out.join('\n');
}

/** Verdict first, then evidence, remediation, actions, other findings and the check list, per host. */
export function renderTerminal(raw: TargetReport, color: boolean): string {
  const c = createColors(color);
  const report = forTerminal(raw);
  const parts = report.hosts.map((h) => renderHost(h, color));
  const withCause = report.hosts.filter((h) => h.verdict === 'cause-found').length;
  const inconclusive = report.hosts.filter((h) => h.verdict === 'inconclusive').length;
  const header = c.bold(
    `diagnose502 ${report.target}: ${withCause} of ${report.hosts.length} host${report.hosts.length === 1 ? '' : 's'} with a 502/504 cause${inconclusive > 0 ? `, ${inconclusive} inconclusive` : ''} (window ${formatWindow(report.sinceS)})`,
  );
  return `${header}\n\n${parts.join(`\n\n${c.dim('─'.repeat(60))}\n\n`)}\n`;
}
