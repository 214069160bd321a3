/**
 * The report's buttons: Re-run, and Show all evidence (a file in the report's thread). Both check the
 * channel and user allowlists of the command; Re-run also the intake limits.
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { dedupKey } from '../queue/job-data.js';
import { ACTION_EVIDENCE, ACTION_RERUN } from '../report/block-kit.js';
import { renderJoined, renderNotAllowed, renderUsageError } from '../report/block-kit-intake.js';
import { renderRefusal } from '../report/block-kit-refusal.js';
import { allowed, type IntakeDeps } from './intake-deps.js';
import { NO_SLACK_METRICS, type SlackMetrics } from './slack-metrics.js';
import { uploadEvidence } from './upload-evidence.js';
import { slackErrorCode } from './web-client.js';

/** A button's value came back from Slack: parse it again before use. */
const RerunValue = z.object({
  target: z.string().min(1).max(253),
  sinceS: z
    .number()
    .int()
    .min(1)
    .max(7 * 86400),
});

export function registerActions(app: App, deps: IntakeDeps, metrics: SlackMetrics = NO_SLACK_METRICS): void {
  app.action<BlockButtonAction>(ACTION_RERUN, async ({ ack, body, action, respond }) => {
    await ack();
    const channelId = body.channel?.id ?? body.container.channel_id;
    if (!channelId) return;
    if (!allowed(deps, body.user.id, channelId)) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...renderNotAllowed() });
      return;
    }
    let value: z.infer<typeof RerunValue>;
    try {
      value = RerunValue.parse(JSON.parse(action.value ?? ''));
    } catch {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...renderUsageError('This button is broken; run the command again.'),
      });
      return;
    }
    let queued: Awaited<ReturnType<IntakeDeps['enqueue']>>;
    try {
      const admission = await deps.limits?.admitPerson(
        { userId: body.user.id, channelId },
        dedupKey(value.target, value.sinceS),
      );
      if (admission && !admission.ok) {
        deps.onLimited?.('rerun', admission.reason);
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...renderRefusal(admission, Date.now()),
        });
        return;
      }
      queued = await deps.enqueue({
        ...value,
        requestedBy: { userId: body.user.id },
        channelId,
        ...(body.response_url ? { responseUrl: body.response_url } : {}),
      });
    } catch (err) {
      deps.logger.error({ err: String(err) }, 'could not enqueue a re-run');
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...renderUsageError('The diagnosis queue (Redis) is not reachable right now; try again in a minute.'),
      });
      return;
    }
    if (queued.joined) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...renderJoined(value.target, queued.running, body.team?.domain),
      });
    }
  });

  app.action<BlockButtonAction>(ACTION_EVIDENCE, async ({ ack, body, action, client, respond }) => {
    await ack();
    const channel = body.channel?.id ?? body.container.channel_id;
    const ts = body.message?.ts ?? body.container.message_ts;
    // The evidence holds what the report left out: the same people as the command may see it.
    if (!channel || !allowed(deps, body.user.id, channel)) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...renderNotAllowed() });
      return;
    }
    const report = action.value ? await deps.findReport(action.value) : undefined;
    if (!report || !channel || !ts) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...renderUsageError('This report has expired from the queue; press Re-run for a fresh one.'),
      });
      return;
    }
    try {
      await uploadEvidence(client, channel, ts, report);
    } catch (err) {
      metrics.slackError('filesUploadV2', slackErrorCode(err));
      deps.logger.warn({ err: slackErrorCode(err) }, 'evidence file not uploaded');
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...renderUsageError(
          `Slack refused the evidence file (${slackErrorCode(err)}); try again in a minute.`,
        ),
      });
    }
  });
}
