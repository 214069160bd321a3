import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMAND } from '../../src/slack/register-command.js';

interface Manifest {
  features: {
    slash_commands: Array<{ command: string; url: string }>;
    app_home?: { home_tab_enabled?: boolean };
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url: string };
    event_subscriptions?: { request_url: string; bot_events: string[] };
  };
}

describe('slack/manifest.yml', () => {
  it('registers the command and the interactivity URL the code serves, with the scopes it uses', async () => {
    const m = parse(await readFile('slack/manifest.yml', 'utf8')) as Manifest;
    expect(m.features.slash_commands.map((c) => c.command)).toEqual([COMMAND]);
    expect(m.features.slash_commands[0]?.url).toMatch(/\/slack\/events$/);
    expect(m.settings.interactivity).toMatchObject({
      is_enabled: true,
      request_url: expect.stringMatching(/\/slack\/events$/),
    });
    // commands: the slash command; chat:write: the report; files:write: filesUploadV2 of the evidence;
    // usergroups:read: restart.allow usergroups.
    expect(m.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining(['commands', 'chat:write', 'files:write', 'usergroups:read']),
    );
  });

  it('enables the Home tab and subscribes to app_home_opened on the URL the code serves', async () => {
    const m = parse(await readFile('slack/manifest.yml', 'utf8')) as Manifest;
    expect(m.features.app_home?.home_tab_enabled).toBe(true);
    expect(m.settings.event_subscriptions?.bot_events).toEqual(['app_home_opened']);
    expect(m.settings.event_subscriptions?.request_url).toMatch(/\/slack\/events$/);
  });
});
