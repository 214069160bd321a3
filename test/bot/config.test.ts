import { describe, expect, it } from 'vitest';
import { BotConfigError, loadBotConfig } from '../../src/config/load-bot-config.js';

const VALID = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_SIGNING_SECRET: 'secret',
  DIAGNOSE502_INVENTORY: '/etc/diagnose502/inventory.yml',
};

function issuesOf(env: NodeJS.ProcessEnv, role: 'serve' | 'worker' | 'start' = 'serve'): string[] {
  try {
    loadBotConfig(env, role);
  } catch (err) {
    if (err instanceof BotConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadBotConfig', () => {
  it('takes the defaults for everything optional', () => {
    const cfg = loadBotConfig(VALID, 'serve');
    expect(cfg.slack.apiUrl).toBe('https://slack.com/api/');
    expect(cfg.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(cfg.port).toBe(3000);
    expect(cfg.workerConcurrency).toBe(4);
    expect(cfg.deliveryLimitMs).toBe(3_600_000);
    expect(cfg.allowedChannels).toEqual([]);
    expect(cfg.slack.appToken).toBeUndefined();
  });

  it('reads every variable', () => {
    const cfg = loadBotConfig(
      {
        ...VALID,
        SLACK_APP_TOKEN: 'xapp-1-A',
        SLACK_API_URL: 'http://127.0.0.1:9999/api',
        REDIS_URL: 'rediss://redis.internal:6380/2',
        PORT: '8080',
        WORKER_CONCURRENCY: '16',
        DIAGNOSE502_ALLOWED_CHANNELS: 'C0123ABCD, C0456EFGH',
        DIAGNOSE502_ALLOWED_USERS: 'U0123ABCD',
      },
      'start',
    );
    expect(cfg.slack.apiUrl).toBe('http://127.0.0.1:9999/api/');
    expect(cfg.slack.appToken).toBe('xapp-1-A');
    expect(cfg.port).toBe(8080);
    expect(cfg.workerConcurrency).toBe(16);
    expect(cfg.allowedChannels).toEqual(['C0123ABCD', 'C0456EFGH']);
    expect(cfg.allowedUsers).toEqual(['U0123ABCD']);
  });

  it('intake limits and the metrics token: defaults, values, and what is wrong with a bad one', () => {
    const cfg = loadBotConfig(VALID, 'serve');
    expect(cfg.limits).toEqual({ perUserPerMin: 10, perChannelPerMin: 30, maxWaiting: 200 });
    expect(cfg.metricsToken).toBeUndefined();
    const set = loadBotConfig(
      {
        ...VALID,
        DIAGNOSE502_RATE_PER_USER: '3',
        DIAGNOSE502_RATE_PER_CHANNEL: '12',
        DIAGNOSE502_QUEUE_MAX_WAITING: '50',
        DIAGNOSE502_METRICS_TOKEN: 'm'.repeat(32),
      },
      'serve',
    );
    expect(set.limits).toEqual({ perUserPerMin: 3, perChannelPerMin: 12, maxWaiting: 50 });
    expect(set.metricsToken).toBe('m'.repeat(32));
    const issues = issuesOf({
      ...VALID,
      DIAGNOSE502_RATE_PER_USER: '0',
      DIAGNOSE502_QUEUE_MAX_WAITING: 'lots',
      DIAGNOSE502_METRICS_TOKEN: 'short',
    }).join('\n');
    expect(issues).toMatch(/DIAGNOSE502_RATE_PER_USER must be a whole number from 1 to 100000/);
    expect(issues).toMatch(/DIAGNOSE502_QUEUE_MAX_WAITING must be a whole number from 1 to 1000000/);
    expect(issues).toMatch(/DIAGNOSE502_METRICS_TOKEN .*at least 16 characters/);
  });

  it('names every missing variable at once, with what to set', () => {
    const issues = issuesOf({});
    expect(issues).toHaveLength(3);
    expect(issues.join('\n')).toMatch(/SLACK_BOT_TOKEN is not set: set it to the Bot User OAuth Token/);
    expect(issues.join('\n')).toMatch(/DIAGNOSE502_INVENTORY is not set: set it to the path/);
    expect(issues.join('\n')).toMatch(/SLACK_SIGNING_SECRET is not set: .*Basic Information/);
  });

  it('refuses malformed values', () => {
    const issues = issuesOf({
      ...VALID,
      SLACK_BOT_TOKEN: 'xoxp-user-token',
      SLACK_APP_TOKEN: 'xoxb-wrong',
      SLACK_API_URL: 'not a url',
      REDIS_URL: 'http://redis',
      PORT: '70000',
      WORKER_CONCURRENCY: 'many',
      DIAGNOSE502_DELIVERY_LIMIT_S: '1h',
      DIAGNOSE502_ALLOWED_CHANNELS: '#incidents',
    });
    const text = issues.join('\n');
    expect(text).toMatch(/SLACK_BOT_TOKEN must be the Bot User OAuth Token, which starts with xoxb-/);
    expect(text).toMatch(/SLACK_APP_TOKEN must be an app-level token starting with xapp-/);
    expect(text).toMatch(/SLACK_API_URL must be an absolute URL/);
    expect(text).toMatch(
      /REDIS_URL must be redis:\/\/host:6379, rediss:\/\/host:6380, redis-sentinel:\/\/.* or redis-cluster:\/\//,
    );
    expect(text).toMatch(/PORT must be a whole number from 0 to 65535/);
    expect(text).toMatch(/WORKER_CONCURRENCY must be a whole number from 1 to 200/);
    expect(text).toMatch(/DIAGNOSE502_DELIVERY_LIMIT_S must be a whole number from 10 to 604800/);
    expect(text).toMatch(/DIAGNOSE502_ALLOWED_CHANNELS\[0\] each entry must be a Slack channel id/);
  });

  it('needs no signing secret for a worker, nor in Socket Mode', () => {
    const { SLACK_SIGNING_SECRET: _unused, ...noSecret } = VALID;
    expect(() => loadBotConfig(noSecret, 'worker')).not.toThrow();
    expect(() => loadBotConfig({ ...noSecret, SLACK_APP_TOKEN: 'xapp-1-A' }, 'serve')).not.toThrow();
    expect(issuesOf(noSecret, 'serve')).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET is not set/)]);
  });
});
