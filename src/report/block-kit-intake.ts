/** The ephemeral answers of `/diagnose502` (pure): help, unknown target, refused, joined. */
import { cut } from './block-kit-limits.js';
import { message, section } from './block-kit-parts.js';
import type { SlackMessage } from './block-kit-types.js';
import { channelRef, code, joinMd, link, type Md, md, mention } from './mrkdwn.js';

const text = (t: Md): SlackMessage => message(t, [section(t)]);

export function renderHelp(command: string): SlackMessage {
  return text(
    joinMd(
      [
        md`*${`${command} <host|group> [since]`}*: finds out why nginx answers 502/504 there, and says what to do.`,
        md`• ${code(`${command} web-3`)}: one host from the inventory (last 15 minutes of logs)`,
        md`• ${code(`${command} web 1h`)}: every host of a group, over the last hour (30s, 15m, 2h, 1d; at most 7d)`,
        md`• ${code(`${command} help`)}: this help`,
        md`The report is posted in this channel and updated while the checks run; the full evidence is a file in its thread.`,
      ],
      '\n',
    ),
  );
}

export function renderUnknownTarget(target: string, suggestions: readonly string[]): SlackMessage {
  const t = code(cut(target, 80));
  const list = joinMd(suggestions.map(code), ', ');
  return text(
    suggestions.length > 0
      ? md`${t} is not a host or group of the inventory. Did you mean ${list}?`
      : md`${t} is not a host or group of the inventory, and no name is close to it.`,
  );
}

export function renderUsageError(message: string): SlackMessage {
  return text(md`:warning: ${message}`);
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
  const t = code(target);
  if (!running.message) {
    return text(
      md`A diagnosis of ${t} is already queued: its report will appear in ${channelRef(running.channelId)}.`,
    );
  }
  const url = teamDomain ? messageLink(teamDomain, running.message.channel, running.message.ts) : undefined;
  const where = url
    ? md`${link(url, 'its report')} in ${channelRef(running.message.channel)}`
    : md`its report in ${channelRef(running.message.channel)}`;
  return text(md`A diagnosis of ${t} is already running: follow ${where}.`);
}

export function renderQueued(target: string): SlackMessage {
  return text(md`Diagnosing ${code(target)}: the report appears in this channel in a moment.`);
}

export function renderNotInChannel(channelId: string, botUserId: string | undefined): SlackMessage {
  const invite = botUserId ? md`/invite ${mention(botUserId)}` : md`/invite @diagnose502`;
  return text(
    md`I am not in ${channelRef(channelId)}, so I cannot post the report there. Type \`${invite}\` and ask again.`,
  );
}

export function renderNotAllowed(): SlackMessage {
  return text(
    md`You or this channel are not on the allowlist for diagnoses (DIAGNOSE502_ALLOWED_USERS / DIAGNOSE502_ALLOWED_CHANNELS). Ask the bot admin.`,
  );
}
