/** The Slack side of a restart job: one message in the report's thread, updated at every step. */
import type { WebClient } from '@slack/web-api';
import type { RestartReporter } from '../actions/restart-reporter.js';
import { renderRestartProgress } from '../report/block-kit-restart.js';

export function createSlackRestartReporter(client: WebClient): RestartReporter {
  return {
    async show(view, steps, outcome) {
      const msg = renderRestartProgress(
        {
          host: view.record.host,
          service: view.record.service,
          command: view.record.command,
          userId: view.userId,
          dryRun: view.record.dryRun,
        },
        steps,
        outcome,
      );
      if (view.statusTs) {
        await client.chat.update({ channel: view.channel, ts: view.statusTs, ...msg });
        return view.statusTs;
      }
      const res = await client.chat.postMessage({ channel: view.channel, thread_ts: view.threadTs, ...msg });
      if (!res.ts) throw new Error('chat.postMessage answered without ts');
      return res.ts;
    },
  };
}
