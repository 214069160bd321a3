/** The ephemeral answers of `/diagnose502` (pure): help, unknown target, refused, joined. */
import { cut, escapeMrkdwn, LIMITS } from './block-kit-limits.js';
import { section } from './block-kit-parts.js';
import type { SlackMessage } from './block-kit-types.js';

const text = (t: string): SlackMessage => ({ text: cut(t, LIMITS.fallbackText), blocks: [section(t)] });

export function renderHelp(command: string): SlackMessage {
  return text(
    [
      `*${command} <host|group> [since]*: finds out why nginx answers 502/504 there, and says what to do.`,
      `• \`${command} web-3\`: one host from the inventory (last 15 minutes of logs)`,
      `• \`${command} web 1h\`: every host of a group, over the last hour (30s, 15m, 2h, 1d; at most 7d)`,
      `• \`${command} help\`: this help`,
      'The report is posted in this channel and updated while the checks run; the full evidence is a file in its thread.',
    ].join('\n'),
  );
}

export function renderUnknownTarget(target: string, suggestions: readonly string[]): SlackMessage {
  const t = escapeMrkdwn(cut(target, 80));
  const list = suggestions.map((s) => `\`${escapeMrkdwn(s)}\``).join(', ');
  return text(
    suggestions.length > 0
      ? `\`${t}\` is not a host or group of the inventory. Did you mean ${list}?`
      : `\`${t}\` is not a host or group of the inventory, and no name is close to it.`,
  );
}

export function renderUsageError(message: string): SlackMessage {
  return text(`:warning: ${escapeMrkdwn(message)}`);
}

/**
 * A link to a message built from the workspace's domain (the slash command carries `team_domain`),
 * so that a joined request costs no Slack API call inside the 3 s ack.
 */
export function messageLink(teamDomain: string, channel: string, ts: string): string | undefined {
  if (!/^[a-z0-9-]+$/i.test(teamDomain) || !/^\d+\.\d+$/.test(ts)) return undefined;
  return `https://${teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
}

export function renderJoined(
  target: string,
  running: { channelId: string; message?: { channel: string; ts: string } },
  teamDomain?: string,
): SlackMessage {
  const t = escapeMrkdwn(target);
  if (!running.message) {
    return text(
      `A diagnosis of \`${t}\` is already queued: its report will appear in <#${running.channelId}>.`,
    );
  }
  const link = teamDomain ? messageLink(teamDomain, running.message.channel, running.message.ts) : undefined;
  const where = link
    ? `<${link}|its report> in <#${running.message.channel}>`
    : `its report in <#${running.message.channel}>`;
  return text(`A diagnosis of \`${t}\` is already running: follow ${where}.`);
}

export function renderQueued(target: string): SlackMessage {
  return text(`Diagnosing \`${escapeMrkdwn(target)}\`: the report appears in this channel in a moment.`);
}

export function renderNotInChannel(channelId: string, botUserId: string | undefined): SlackMessage {
  const invite = botUserId ? `/invite <@${botUserId}>` : '/invite @diagnose502';
  return text(
    `I am not in <#${channelId}>, so I cannot post the report there. Type \`${invite}\` and ask again.`,
  );
}

export function renderNotAllowed(): SlackMessage {
  return text(
    'You or this channel are not on the allowlist for diagnoses (DIAGNOSE502_ALLOWED_USERS / DIAGNOSE502_ALLOWED_CHANNELS). Ask the bot admin.',
  );
}
