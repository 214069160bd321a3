/**
 * `/diagnose502`: the ack only validates and enqueues (Slack wants the answer within 3 s). What is
 * wrong is said ephemerally to the person; nothing is posted and nothing reaches SSH. Order: help,
 * usage, allowlist, inventory, intake limits (per person, per channel, queue-wide), then the queue.
 */
import type { App } from '@slack/bolt';
import { InventoryError } from '../inventory/errors.js';
import { resolveTarget } from '../inventory/resolve-target.js';
import { dedupKey } from '../queue/job-data.js';
import {
  renderHelp,
  renderJoined,
  renderNotAllowed,
  renderUnknownTarget,
  renderUsageError,
} from '../report/block-kit-intake.js';
import { renderRefusal } from '../report/block-kit-refusal.js';
import type { SlackMessage } from '../report/block-kit-types.js';
import { allowed, type IntakeDeps } from './intake-deps.js';
import { parseCommandText } from './parse-command.js';

export const COMMAND = '/diagnose502';

const ephemeral = (m: SlackMessage) => ({ response_type: 'ephemeral' as const, ...m });

export function registerCommand(app: App, deps: IntakeDeps): void {
  app.command(COMMAND, async ({ command, ack }) => {
    const parsed = parseCommandText(command.text);
    if (parsed.kind === 'help') {
      deps.onCommand?.('help');
      return ack(ephemeral(renderHelp(COMMAND)));
    }
    if (parsed.kind === 'usage') {
      deps.onCommand?.('usage');
      return ack(ephemeral(renderUsageError(parsed.message)));
    }
    if (!allowed(deps, command.user_id, command.channel_id)) {
      deps.onCommand?.('refused');
      return ack(ephemeral(renderNotAllowed()));
    }
    try {
      resolveTarget(deps.inventory(), parsed.target);
    } catch (err) {
      if (!(err instanceof InventoryError)) throw err;
      deps.onCommand?.(err.code === 'target-unknown' ? 'unknown-target' : 'usage');
      return ack(ephemeral(renderUnknownTarget(parsed.target, err.suggestions)));
    }
    try {
      const admission = await deps.limits?.admitPerson(
        { userId: command.user_id, channelId: command.channel_id },
        dedupKey(parsed.target, parsed.sinceS),
      );
      if (admission && !admission.ok) {
        deps.onCommand?.('limited');
        deps.onLimited?.('command', admission.reason);
        deps.logger.info(
          { user: command.user_id, channel: command.channel_id, reason: admission.reason },
          'diagnosis refused by an intake limit',
        );
        return ack(ephemeral(renderRefusal(admission, Date.now())));
      }
      const queued = await deps.enqueue({
        target: parsed.target,
        sinceS: parsed.sinceS,
        requestedBy: { userId: command.user_id },
        channelId: command.channel_id,
        ...(command.team_id ? { teamId: command.team_id } : {}),
        ...(command.response_url ? { responseUrl: command.response_url } : {}),
      });
      deps.logger.info(
        { jobId: queued.jobId, target: parsed.target, joined: queued.joined },
        'diagnosis requested',
      );
      if (queued.joined) {
        deps.onCommand?.('joined');
        return ack(ephemeral(renderJoined(parsed.target, queued.running, command.team_domain)));
      }
      deps.onCommand?.('queued');
      // An empty ack: the worker's message appears in the channel at once.
      return ack();
    } catch (err) {
      deps.onCommand?.('error');
      deps.logger.error({ err: String(err) }, 'could not enqueue a diagnosis');
      return ack(
        ephemeral(
          renderUsageError('The diagnosis queue (Redis) is not reachable right now; try again in a minute.'),
        ),
      );
    }
  });
}
