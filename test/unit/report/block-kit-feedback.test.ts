/**
 * The feedback control and its modal (pure): where the control sits in a report, what its buttons
 * carry, the plain-button fallback, and a modal the stand-in accepts as Slack would, with hostile
 * host names escaped.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/diagnosis/finding.js';
import { reportEvidence } from '../../../src/feedback/report-evidence.js';
import { scenarioSkeleton, slug } from '../../../src/feedback/scenario-skeleton.js';
import { CAUSES } from '../../../src/parse/causes.js';
import { renderReport } from '../../../src/report/block-kit.js';
import {
  ACTION_FEEDBACK,
  ACTION_FEEDBACK_RIGHT,
  ACTION_FEEDBACK_WRONG,
  feedbackRef,
  withFeedbackFallback,
} from '../../../src/report/block-kit-feedback.js';
import { renderWrongModal } from '../../../src/report/block-kit-feedback-modal.js';
import type { HostReport, TargetReport } from '../../../src/report/types.js';
import { checkMessage } from '../../slack-standin/block-rules.js';
import { checkModalView } from '../../slack-standin/rules-feedback.js';

const finding = (cause: Finding['cause'], confidence: number, evidence: string[] = ['line']): Finding => ({
  cause,
  confidence,
  title: `${cause} title`,
  evidence,
  remediation: [],
  actions: [],
});
const host = (name: string, findings: Finding[]): HostReport => ({
  host: name,
  address: '10.0.0.1',
  durationMs: 100,
  verdict: 'cause-found',
  notChecked: [],
  checks: [
    { id: 'upstreams', status: 'fail', summary: '127.0.0.1:8081 refused', durationMs: 5 },
    { id: 'ssh', status: 'ok', summary: 'connected', durationMs: 5 },
  ],
  findings,
});
const report = (hosts: HostReport[], target = hosts[0]?.host ?? 'x'): TargetReport => ({
  target,
  sinceS: 900,
  startedAt: '2026-12-07T18:00:00.000Z',
  verdict: 'cause-found',
  hosts,
});
const meta = { requestedBy: 'U0ASKER', jobId: 'job-7' };
type Json = Record<string, unknown>;
/** The feedback control: the block just above the report's own buttons (which stay last). */
const control = (m: { blocks: unknown[] }) => m.blocks.at(-2) as Json;

describe('feedback control', () => {
  it('ends every final report with feedback_buttons in a context_actions block that Slack takes', () => {
    const one = renderReport(report([host('web-1', [finding('upstream-down', 0.95)])]), meta);
    const group = renderReport(
      report(
        [
          host('web-1', [finding('upstream-down', 0.9)]),
          host('web-2', [finding('upstream-down', 0.95)]),
          host('web-3', [finding('disk-full', 0.99)]),
        ],
        'web',
      ),
      meta,
    );
    for (const msg of [one, group]) {
      expect(checkMessage(msg.text, msg.blocks)).toBeUndefined();
      expect((msg.blocks.at(-1) as Json).block_id).toBe('d502_report_actions');
      const last = control(msg);
      expect(last.type).toBe('context_actions');
      const el = (last.elements as Json[])[0] as Json;
      expect(el).toMatchObject({ type: 'feedback_buttons', action_id: ACTION_FEEDBACK });
    }
    const value = (m: typeof one) =>
      JSON.parse(
        (control(m).elements as Array<{ positive_button: { value: string } }>)[0]?.positive_button.value ??
          '',
      );
    expect(value(one)).toEqual({ v: 'right', j: 'job-7', h: 'web-1', c: 'upstream-down', p: 0.95 });
    // A group votes on the cause most of its hosts share, at its highest confidence.
    expect(value(group)).toEqual({ v: 'right', j: 'job-7', h: 'web', c: 'upstream-down', p: 0.95 });
  });

  it('is plain buttons with `buttons`, absent with `off`, and falls back from the native block', () => {
    const r = report([host('web-1', [finding('upstream-slow', 0.7)])]);
    const buttons = renderReport(r, { ...meta, feedback: 'buttons' });
    expect(checkMessage(buttons.text, buttons.blocks)).toBeUndefined();
    expect(control(buttons)).toMatchObject({ type: 'actions', block_id: 'd502_feedback' });
    expect((control(buttons).elements as Json[]).map((e) => e.action_id)).toEqual([
      ACTION_FEEDBACK_RIGHT,
      ACTION_FEEDBACK_WRONG,
    ]);
    const off = renderReport(r, { ...meta, feedback: 'off' });
    expect(JSON.stringify(off.blocks)).not.toContain('d502_feedback');
    const native = renderReport(r, meta);
    const fallback = withFeedbackFallback(native);
    expect(fallback && control(fallback)).toEqual(control(buttons));
    expect(withFeedbackFallback(buttons)).toBeUndefined();
  });

  it('builds a modal Slack takes: every cause of the catalog, a bounded text input, the host escaped', () => {
    const ref = feedbackRef(report([host('<!channel> *web*', [finding('upstream-down', 0.9)])]), 'job-1');
    const view = renderWrongModal({ ...ref, channel: 'C0X', messageTs: '1.2' }, CAUSES);
    expect(checkModalView(view)).toBeUndefined();
    const text = JSON.stringify(view.blocks[0]);
    expect(text).not.toContain('<!channel>');
    expect(((view.blocks[1] as Json).element as Json).options).toHaveLength(CAUSES.length);
    expect(JSON.parse(view.private_metadata)).toEqual({
      j: 'job-1',
      h: '<!channel> *web*',
      c: 'upstream-down',
      p: 0.9,
      ch: 'C0X',
      ts: '1.2',
    });
    // The stand-in refuses what Slack refuses.
    expect(checkModalView({ ...view, title: { type: 'plain_text', text: 'x'.repeat(25) } })).toBeDefined();
    expect(checkModalView({ ...view, submit: undefined })).toBeDefined();
  });

  it('keeps the verdict, its evidence and the failing checks; skeleton names stay [a-z0-9-]', () => {
    const lines = reportEvidence(report([host('web-1', [finding('upstream-down', 0.9, ['refused'])])]));
    expect(lines).toEqual([
      'verdict: [upstream-down] upstream-down title',
      'refused',
      'check upstreams fail: 127.0.0.1:8081 refused',
    ]);
    expect(slug('../../ETC/passwd\u0000 x')).toBe('etc-passwd-x');
    const s = scenarioSkeleton({
      id: '1765130000000-3',
      at: 't',
      kind: 'wrong',
      who: 'U1',
      reportId: 'j',
      host: 'web-1',
      givenCause: 'upstream-down',
      confidence: 0.9,
      channel: 'C',
      messageTs: '1',
      answerCause: 'not-a-cause',
      evidence: [],
    });
    expect(s.expectedCause).toBeNull();
    expect(s.name).toBe('feedback-web-1-upstream-down-was-other-1765130000000s3');
  });
});
