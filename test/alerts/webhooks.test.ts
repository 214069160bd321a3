/**
 * The webhooks' doors, over real HTTP to a real `serve` (Bolt customRoutes) with the real Redis and
 * the Slack stand-in, no worker (jobs stay queued, to be counted): Grafana's HMAC with a timestamp
 * (valid, wrong, none, stale), Alertmanager's bearer token (none, wrong, right), size limit, schema.
 *
 * The Grafana body is the example payload of Grafana's webhook notifier documentation
 * (grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/,
 * "Body"), with an `instance` label added to each alert (the example has none) and the names kept.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BotHarness,
  redisAvailable,
  startBotHarness,
  unreachableInventory,
} from '../bot/bot-harness.js';
import { partialRequest } from '../bot/partial-request.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/alerts/webhooks] skipped: ${skip}`);

const GRAFANA_BODY = readFileSync(new URL('./fixtures/grafana-webhook.json', import.meta.url), 'utf8');
const TOKEN = randomBytes(24).toString('hex');
const SECRET = randomBytes(24).toString('hex');
const TS_HEADER = 'X-Grafana-Alerting-Timestamp';

const grafanaSig = (ts: string, body: string, secret = SECRET) =>
  createHmac('sha256', secret).update(`${ts}:${body}`).digest('hex');

function amPayload(groupKey: string, instances: string[], status: 'firing' | 'resolved' = 'firing') {
  return JSON.stringify({
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status,
    receiver: 'bot',
    groupLabels: { alertname: 'NginxHigh502' },
    commonLabels: { alertname: 'NginxHigh502' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.test',
    notification_reason: 'a field of a newer Alertmanager, ignored',
    alerts: instances.map((instance) => ({
      status,
      labels: { alertname: 'NginxHigh502', instance },
      annotations: {},
      startsAt: new Date(Date.now() - 120_000).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.test/graph',
      fingerprint: randomBytes(8).toString('hex'),
    })),
  });
}

describe.skipIf(skip !== undefined)('alert webhooks: credentials, limits, validation', () => {
  let bot: BotHarness | undefined;
  beforeAll(async () => {
    bot = await startBotHarness({
      inventory: (dir) => unreachableInventory(dir, 9),
      worker: false,
      env: {
        ALERT_CHANNEL: 'C0ALERTS',
        ALERT_WEBHOOK_TOKEN: TOKEN,
        GRAFANA_WEBHOOK_SECRET: SECRET,
        GRAFANA_WEBHOOK_TIMESTAMP_HEADER: TS_HEADER,
        ALERT_WEBHOOK_MAX_BYTES: '65536',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await bot?.close();
  });

  const jobs = async () =>
    (await bot?.serve.queue.getJobCountByTypes('waiting', 'active', 'completed', 'delayed')) ?? -1;
  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${bot?.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('Grafana: no signature, a wrong one, a stale timestamp: 401 and nothing changes; a valid one queues web-1', async () => {
    if (!bot) throw new Error('setup failed');
    const now = String(Math.floor(Date.now() / 1000));
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    const refused = [
      await post('/alerts/grafana', GRAFANA_BODY, {}),
      await post('/alerts/grafana', GRAFANA_BODY, { [TS_HEADER]: now }),
      await post('/alerts/grafana', GRAFANA_BODY, {
        [TS_HEADER]: now,
        'X-Grafana-Alerting-Signature': grafanaSig(now, GRAFANA_BODY, 'not-the-secret'),
      }),
      // Signed over another timestamp than the one sent (a replay with a fresh header).
      await post('/alerts/grafana', GRAFANA_BODY, {
        [TS_HEADER]: now,
        'X-Grafana-Alerting-Signature': grafanaSig(stale, GRAFANA_BODY),
      }),
      await post('/alerts/grafana', GRAFANA_BODY, {
        [TS_HEADER]: stale,
        'X-Grafana-Alerting-Signature': grafanaSig(stale, GRAFANA_BODY),
      }),
    ];
    expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    expect(await jobs()).toBe(0);
    expect(bot.standin.messages).toHaveLength(0);

    const ok = await post('/alerts/grafana', GRAFANA_BODY, {
      [TS_HEADER]: now,
      'X-Grafana-Alerting-Signature': grafanaSig(now, GRAFANA_BODY),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, queued: 1, unknown: 1, threads: 1 });
    expect(await jobs()).toBe(1);
    const head = bot.standin.messages.find((m) => m.channel === 'C0ALERTS' && !m.threadTs);
    expect(head?.text).toBe('[FIRING:2]  (blue) firing: 1 diagnosis queued');
    const note = bot.standin.messages.find((m) => m.threadTs === head?.ts);
    expect(note?.text).toContain('10.99.0.7');
    const [job] = await bot.serve.queue.getJobs(['waiting']);
    expect(job?.data).toMatchObject({ target: 'web-1', thread: { channel: 'C0ALERTS', ts: head?.ts } });
  });

  it('Alertmanager: no token, a wrong one, basic auth it was not given: 401, nothing queued; the token: 200', async () => {
    if (!bot) throw new Error('setup failed');
    const before = await jobs();
    const messages = bot.standin.messages.length;
    const body = amPayload('{}:{alertname="NginxHigh502"}', ['web-2:9113']);
    const refused = [
      await post('/alerts/alertmanager', body, {}),
      await post('/alerts/alertmanager', body, { authorization: `Bearer ${TOKEN}x` }),
      await post('/alerts/alertmanager', body, {
        authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`,
      }),
    ];
    expect(refused.map((r) => r.status)).toEqual([401, 401, 401]);
    expect(await jobs()).toBe(before);
    expect(bot.standin.messages).toHaveLength(messages);

    const ok = await post('/alerts/alertmanager', body, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(await jobs()).toBe(before + 1);
    // At least once: the same notification again is answered 200 and queues nothing.
    const again = await post('/alerts/alertmanager', body, { authorization: `Bearer ${TOKEN}` });
    expect(await again.json()).toMatchObject({ ok: true, queued: 0, deduplicated: 1 });
    expect(await jobs()).toBe(before + 1);
  });

  it('a body over ALERT_WEBHOOK_MAX_BYTES: 413; not JSON or not a notification: 400 naming the field', async () => {
    if (!bot) throw new Error('setup failed');
    const auth = { authorization: `Bearer ${TOKEN}` };
    const big = await post('/alerts/alertmanager', 'x'.repeat(70_000), auth);
    expect(big.status).toBe(413);
    const notJson = await post('/alerts/alertmanager', '{"version":', auth);
    expect(notJson.status).toBe(400);
    const wrong = await post(
      '/alerts/alertmanager',
      JSON.stringify({ version: '3', groupKey: 'k', alerts: 'none' }),
      auth,
    );
    expect(wrong.status).toBe(400);
    const answer = (await wrong.json()) as { issues: string[] };
    expect(answer.issues.join('\n')).toMatch(/version: expected version "4"/);
    expect(answer.issues.join('\n')).toMatch(/status:/);
    expect(answer.issues.join('\n')).toMatch(/alerts:/);
  });

  it('auth before the body: a client holding a partial body without (or with wrong) credentials is answered 401 at once and disconnected', async () => {
    if (!bot) throw new Error('setup failed');
    const before = await jobs();
    const held = [
      await partialRequest(bot.url, '/alerts/alertmanager', {}),
      await partialRequest(bot.url, '/alerts/alertmanager', { Authorization: `Bearer ${TOKEN}x` }),
      await partialRequest(bot.url, '/alerts/grafana', {}),
      // A signature header that cannot be an HMAC-SHA256 (not 64 hex digits) is refused unread.
      await partialRequest(bot.url, '/alerts/grafana', {
        'X-Grafana-Alerting-Signature': 'x'.repeat(64),
        [TS_HEADER]: String(Math.floor(Date.now() / 1000)),
      }),
      // A well-formed signature with a stale timestamp: refused from the headers alone.
      await partialRequest(bot.url, '/alerts/grafana', {
        'X-Grafana-Alerting-Signature': 'a'.repeat(64),
        [TS_HEADER]: String(Math.floor(Date.now() / 1000) - 3600),
      }),
    ];
    for (const h of held) {
      expect(h).toMatchObject({ status: 401, closed: true });
      // Generous: the server does not wait for the other 59,960 bytes (it would until its timeout).
      expect(h.ms).toBeLessThan(2000);
    }
    // With the right token the server does wait for the body (it is the sender's to finish).
    const waiting = await partialRequest(
      bot.url,
      '/alerts/alertmanager',
      { Authorization: `Bearer ${TOKEN}` },
      { waitMs: 500 },
    );
    expect(waiting).toMatchObject({ status: 0, closed: false });
    expect(await jobs()).toBe(before);
  });

  it('a replayed Alertmanager "resolved" from an earlier episode does not mark the firing group resolved', async () => {
    if (!bot) throw new Error('setup failed');
    const auth = { authorization: `Bearer ${TOKEN}` };
    const groupKey = '{}:{alertname="NginxReplay"}';
    const t1 = new Date(Date.now() - 3_600_000).toISOString();
    const t2 = new Date(Date.now() - 1_800_000).toISOString();
    const t3 = new Date(Date.now() - 60_000).toISOString();
    const notification = (status: 'firing' | 'resolved', startsAt: string, endsAt: string) =>
      JSON.stringify({
        version: '4',
        groupKey,
        status,
        receiver: 'bot',
        groupLabels: { alertname: 'NginxReplay' },
        commonLabels: { alertname: 'NginxReplay' },
        alerts: [
          {
            status,
            labels: { alertname: 'NginxReplay', instance: 'web-2:9113' },
            startsAt,
            endsAt,
            // Alertmanager's fingerprint hashes the labels: the same in every episode.
            fingerprint: '5e1f0a2b3c4d5e6f',
          },
        ],
      });
    const firing1 = notification('firing', t1, '0001-01-01T00:00:00Z');
    const resolved1 = notification('resolved', t1, t2);
    const firing2 = notification('firing', t3, '0001-01-01T00:00:00Z');
    const head = () =>
      bot?.standin.messages.find(
        (m) => m.channel === 'C0ALERTS' && !m.threadTs && m.text.includes('NginxReplay'),
      );

    expect((await post('/alerts/alertmanager', firing1, auth)).status).toBe(200);
    expect(head()?.text).toMatch(/firing/);
    expect((await post('/alerts/alertmanager', resolved1, auth)).status).toBe(200);
    expect(head()?.text).toMatch(/resolved/);
    expect((await post('/alerts/alertmanager', firing2, auth)).status).toBe(200);
    expect(head()?.text).toMatch(/firing/);
    // The captured "resolved" of the first episode, sent again (valid bearer token, no timestamp).
    const replay = await post('/alerts/alertmanager', resolved1, auth);
    expect(replay.status).toBe(200);
    expect(head()?.text).toMatch(/firing/);
    expect(head()?.text).not.toMatch(/resolved/);
    // Alertmanager's own re-send of the current state still passes.
    expect((await post('/alerts/alertmanager', firing2, auth)).status).toBe(200);
    expect(head()?.text).toMatch(/firing/);
  });
});
