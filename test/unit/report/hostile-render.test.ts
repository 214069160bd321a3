/**
 * Every rendered message, with hostile text in every field (issue 15, "One escape function per
 * sink"): what a host, an alert or a person wrote reaches Slack as text, never as a mention, a link,
 * formatting or a code-block breakout, and reaches the terminal without a control sequence.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/diagnosis/finding.js';
import { renderFailure, renderProgress, renderReport } from '../../../src/report/block-kit.js';
import { renderAlertGroup, renderUnknownHosts } from '../../../src/report/block-kit-alert.js';
import {
  renderJoined,
  renderNotInChannel,
  renderQueued,
  renderUnknownTarget,
  renderUsageError,
} from '../../../src/report/block-kit-intake.js';
import { renderRefusal } from '../../../src/report/block-kit-refusal.js';
import {
  renderRestartProgress,
  renderRestartRefusal,
  restartButton,
} from '../../../src/report/block-kit-restart.js';
import type { Block, SlackMessage } from '../../../src/report/block-kit-types.js';
import { renderCheckLine, renderTerminal } from '../../../src/report/render-terminal.js';
import type { HostReport, TargetReport } from '../../../src/report/types.js';
import { boltLogger } from '../../../src/slack/pino-bolt-logger.js';
import { CONTROL, HOSTILE } from './hostile-text.js';

const REQUESTER = 'U0REQUESTER';
const meta = { requestedBy: REQUESTER, jobId: 'job-1' };

/** The markup the bot itself writes, and nothing else. */
const OWN_MARKUP = [
  `<@${REQUESTER}>`,
  '<#C0CHANNEL>',
  '<https://acme.slack.com/archives/C0CHANNEL/p1700000000000100|its report>',
];

function mrkdwnOf(m: SlackMessage): string[] {
  const out = [m.text];
  const walk = (b: Block) => {
    if (b.type === 'section') out.push(b.text.text);
    if (b.type === 'context') out.push(...b.elements.map((e) => e.text));
    if (b.type === 'actions')
      for (const el of b.elements) if (el.confirm?.text.type === 'mrkdwn') out.push(el.confirm.text.text);
  };
  m.blocks.forEach(walk);
  return out;
}

function expectInert(text: string, where: string): void {
  for (const tag of text.match(/<[^>]*>/g) ?? []) expect(OWN_MARKUP, `${where}: ${tag}`).toContain(tag);
  // No backtick of the hostile text survives: it could neither open code nor close the bot's own.
  for (const code of ['`tick`', '``` breakout']) expect(text, where).not.toContain(code);
  expect((text.match(/```/g) ?? []).length % 2, where).toBe(0);
  // Outside code (where Slack formats), no formatting of the hostile text survives.
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  for (const formatted of ['*ALL CLEAR*', '_calm_', '~fire~', ':large_green_circle:'])
    expect(prose, where).not.toContain(formatted);
}

function hostileHost(name: string): HostReport {
  const finding = (cause: string): Finding =>
    ({
      cause: cause as Finding['cause'],
      confidence: 0.9,
      title: `${HOSTILE} title`,
      evidence: [`${HOSTILE} evidence 1`, `line with ${'`'.repeat(3)} fence ${HOSTILE}`],
      remediation: [`${HOSTILE} remedy`],
      actions: [{ id: 'restart-service:app', kind: 'safe', label: `${HOSTILE} action` }],
    }) as Finding;
  return {
    host: `${name}${HOSTILE}`,
    address: `10.0.0.1${HOSTILE}`,
    durationMs: 800,
    verdict: 'cause-found',
    notChecked: [{ check: `error-log${HOSTILE}`, reason: `${HOSTILE} reason`, byHand: `tail ${HOSTILE}` }],
    checks: [
      { id: `kernel-log${HOSTILE}`, status: 'fail', summary: `OOM killed ${HOSTILE}`, durationMs: 3 },
      { id: 'ssh', status: 'ok', summary: 'ok', durationMs: 3 },
    ],
    findings: [finding('oom-killed'), finding(`upstream-down${HOSTILE}`)],
    // Ruled out (issue 20): the evidence names targets, paths and mounts the host reported.
    ruledOut: [
      { cause: 'disk-full', evidence: `disk: 41% used on /srv/${HOSTILE}` },
      { cause: `dns-failure${HOSTILE}` as Finding['cause'], evidence: `DNS: ${HOSTILE} resolves` },
    ],
  };
}

const single: TargetReport = {
  target: `web-1${HOSTILE}`,
  verdict: 'cause-found',
  sinceS: 900,
  startedAt: '2026-11-21T10:52:04.000Z',
  hosts: [hostileHost('web-1')],
};
const group: TargetReport = { ...single, hosts: [hostileHost('web-1'), hostileHost('web-2')] };

const offer = {
  recordId: 'r1',
  label: `Restart ${HOSTILE}`,
  host: `web-1${HOSTILE}`,
  address: `10.0.0.1${HOSTILE}`,
  command: `systemctl restart app ${HOSTILE}`,
  dryRun: false,
  expiresAt: 0,
};

const MESSAGES: Record<string, SlackMessage> = {
  'report (one host)': renderReport(single, { ...meta, restarts: [offer] }),
  'report (a group)': renderReport(group, meta),
  progress: renderProgress(
    {
      target: single.target,
      sinceS: 900,
      hosts: [{ host: single.target, checks: single.hosts[0]?.checks ?? [], done: false }],
    },
    meta,
  ),
  'progress (a group)': renderProgress(
    {
      target: group.target,
      sinceS: 900,
      hosts: group.hosts.map((h) => ({ host: h.host, checks: h.checks, done: true })),
    },
    meta,
  ),
  failure: renderFailure(single.target, `${HOSTILE} reason`, false, meta),
  'failure (alert source as requester)': renderFailure(single.target, HOSTILE, true, {
    ...meta,
    requestedBy: `Alertmanager: ${HOSTILE}`,
  }),
  'alert group (firing)': renderAlertGroup({
    source: 'alertmanager',
    title: `Alertmanager: ${HOSTILE}`,
    status: 'firing',
    diagnosed: [`web-1${HOSTILE}`],
    recent: [`web-2${HOSTILE}`],
    unknown: 2,
    dedupWindowS: 600,
  }),
  'alert group (resolved)': renderAlertGroup({
    source: 'grafana',
    title: HOSTILE,
    status: 'resolved',
    resolvedAt: HOSTILE,
    diagnosed: [],
    recent: [],
    unknown: 0,
    dedupWindowS: 600,
  }),
  'unknown alert hosts': renderUnknownHosts([HOSTILE, `instance=${HOSTILE}`]),
  'unknown target': renderUnknownTarget(HOSTILE, [`web-1${HOSTILE}`]),
  'usage error': renderUsageError(HOSTILE),
  'joined (queued)': renderJoined(HOSTILE, { channelId: `C0CHANNEL` }),
  'joined (running)': renderJoined(
    HOSTILE,
    { channelId: 'C0CHANNEL', message: { channel: 'C0CHANNEL', ts: '1700000000.000100' } },
    'acme',
  ),
  'joined (hostile channel and team)': renderJoined(
    HOSTILE,
    { channelId: HOSTILE, message: { channel: HOSTILE, ts: '1700000000.000100' } },
    HOSTILE,
  ),
  queued: renderQueued(HOSTILE),
  'not in channel': renderNotInChannel(HOSTILE, HOSTILE),
  'restart thread': renderRestartProgress(
    {
      host: `web-1${HOSTILE}`,
      service: `app${HOSTILE}`,
      command: `systemctl restart ${HOSTILE}`,
      userId: REQUESTER,
      dryRun: false,
    },
    [
      { name: `pre-check ${HOSTILE}`, state: 'ok', detail: `still failing: ${HOSTILE}` },
      { name: 'verify', state: 'failed', detail: `error log: ${HOSTILE}` },
    ],
    { result: `failed ${HOSTILE}`, summary: `the error log still says ${HOSTILE}` },
  ),
  'restart refusal': renderRestartRefusal(
    `You may not restart app on web-1${HOSTILE}: ${HOSTILE}. Nothing was done.`,
  ),
  'restart refusal (already used)': renderRestartRefusal(
    `This restart button was already used by <@${REQUESTER}> at ${HOSTILE}; nothing was done again.`,
  ),
  'intake limit refusal': renderRefusal({ reason: 'user-rate', limit: 10, retryAfterS: 42 }, 0),
  'restart button': { text: 'button', blocks: [{ type: 'actions', elements: [restartButton(offer)] }] },
};

describe('Slack: hostile text renders as text in every message', () => {
  for (const [name, message] of Object.entries(MESSAGES)) {
    it(name, () => {
      for (const text of mrkdwnOf(message)) expectInert(text, name);
    });
  }

  it('keeps code that pairs up within one value, and replaces a stray backtick', () => {
    const [paired] = mrkdwnOf(renderUsageError('dry run: would run `systemctl restart app` on web-1'));
    expect(paired).toContain('would run `systemctl restart app` on web-1');
    const [stray] = mrkdwnOf(renderUsageError('a stray ` opens code'));
    expect(stray).toContain('a stray ˋ opens code');
  });

  it('the native chart (data_visualization, plain text) carries no control character and no emoji code', () => {
    const chart = {
      startMs: 0,
      bucketS: 60,
      buckets: 3,
      by: 'upstream' as const,
      lines: [{ key: HOSTILE, c502: [1, 0, 2], c504: [0, 0, 0] }],
      total502: 3,
      total504: 0,
      endMs: 180_000,
      markers: [],
    };
    // What could draw comes first: the title keeps only the host's first 25 characters.
    const host = `\u001b]0;pwned\u0007\u202e\u009b31m:large_green_circle: web-1${HOSTILE}`;
    const hosts = single.hosts.map((h) => ({ ...h, host, errorSeries: chart }));
    const msg = renderReport({ ...single, hosts }, { ...meta, nativeChart: true });
    const block = msg.blocks.find((b) => b.type === 'data_visualization');
    if (block?.type !== 'data_visualization') throw new Error('no chart block');
    const texts = [
      block.title,
      ...block.chart.axis_config.categories,
      ...block.chart.series.map((x) => x.name),
    ];
    for (const t of texts) {
      expect(t).not.toMatch(CONTROL);
      expect(t).not.toContain(':large_green_circle:');
    }
    expect(block.title).toMatch(/∶large_green_c…: 502\/504 per minute$/);
    // Its caption (mrkdwn) too.
    for (const t of mrkdwnOf(msg)) expectInert(t, 'report with the native chart');
  });

  it('the ruled-out lines are there, as text', () => {
    const text = mrkdwnOf(MESSAGES['report (one host)'] as SlackMessage).join('\n');
    expect(text).toContain('*Ruled out*');
    expect(text).toContain('disk: 41% used on /srv/x &lt;!channel&gt;');
  });

  it('a refused click still names who used the button, and nothing else live', () => {
    const [text] = mrkdwnOf(MESSAGES['restart refusal (already used)'] as SlackMessage);
    expect(text).toMatch(
      /^:no_entry: This restart button was already used by <@U0REQUESTER> at x &lt;!channel&gt;/,
    );
  });

  it('a header (plain text, emoji on) draws no emoji from an alert title', () => {
    const header = MESSAGES['alert group (firing)']?.blocks[0];
    expect(header?.type === 'header' && header.text.text).toMatch(/^🔥 Alertmanager: .*∶large_green_circle:/);
  });

  it('escapes Slack control characters as its docs say, and keeps the words readable', () => {
    const [text] = mrkdwnOf(renderUsageError('<!channel> a & b <@U0VICTIM> pm.max_children'));
    expect(text).toContain('&lt;!channel&gt; a &amp; b &lt;@U0VICTIM&gt; pm.max_children');
    const [times] = mrkdwnOf(renderUsageError('at 10:52:04 on db:5432, :white_check_mark: all clear'));
    expect(times).toContain('at 10:52:04 on db:5432, ∶white_check_mark: all clear');
  });

  it('the restart thread quotes no secret from the host (a verification detail is an error-log line)', () => {
    const message = renderRestartProgress(
      { host: 'web-1', service: 'app', command: 'systemctl restart app', userId: REQUESTER, dryRun: false },
      [{ name: 'verify', state: 'failed', detail: `the error log still says: ${HOSTILE}` }],
      { result: 'failed', summary: `still failing: ${HOSTILE}` },
    );
    const text = mrkdwnOf(message).join('\n');
    expect(text).not.toMatch(/SECRETVALUE|hunter2/);
    expect(text).toContain('token=[REDACTED]');
  });
});

/** The renderer's own colours (SGR). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: what the test strips.
const SGR = /\u001b\[[0-9;]*m/g;

describe('terminal: no escape sequence from a host reaches the screen', () => {
  it('the report, with and without colour', () => {
    for (const color of [false, true]) {
      const out = renderTerminal(group, color).replace(SGR, '');
      expect(out).not.toMatch(CONTROL);
      expect(out).toContain('\\x1b]0;pwned\\x07');
      expect(out).toContain('Ruled out');
    }
  });

  it('the live check line', () => {
    const check = single.hosts[0]?.checks[0];
    if (!check) throw new Error('no check');
    expect(renderCheckLine(HOSTILE, check, true).replace(SGR, '')).not.toMatch(CONTROL);
  });
});

describe('JSON log: Bolt debug lines are redacted', () => {
  it('masks tokens and secrets in the strings and objects Bolt logs', () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'debug' },
      new Writable({
        write(chunk, _enc, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    const bolt = boltLogger(log);
    bolt.debug('http request body: token=SECRETVALUE&text=web-1', {
      headers: { authorization: 'Bearer xoxb-1234567890-abcdefghij' },
      response_url: 'https://hooks.slack.com/commands/T0/1/SECRETHOOK?password=hunter2',
    });
    const out = lines.join('');
    expect(out).toContain('[REDACTED]');
    expect(out).not.toMatch(/SECRETVALUE|xoxb-1234567890|hunter2/);
  });
});

describe('live check lines are redacted before they leave', () => {
  it('the check event carries the redacted summary, as the final report does', async () => {
    const { diagnoseHost } = await import('../../../src/pipeline/diagnose-host.js');
    const live: string[] = [];
    const report = await diagnoseHost(
      { name: 'web-1', address: '10.0.0.11', nginx: { errorLog: 'e', accessLog: 'a' }, services: [] },
      async () => {
        throw new Error('connect failed for redis://:hunter2@db:6379 with token=SECRETVALUE');
      },
      { sinceS: 900, onProgress: (e) => e.type === 'check' && live.push(e.check.summary) },
    );
    expect(live.join('\n')).toContain('[REDACTED]');
    expect(live.join('\n')).not.toMatch(/hunter2|SECRETVALUE/);
    expect(report.checks.map((c) => c.summary)).toEqual(live);
  });
});
