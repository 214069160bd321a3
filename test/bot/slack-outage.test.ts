/**
 * Issue 16: reports outlive a Slack outage. The stand-in's Web API answers 503 (as Slack's edge
 * does) for 95 s, longer than a diagnosis job's retries last (about 40 s), while three
 * `/diagnose502` commands and an Alertmanager group (two hosts, then resolved) run. Before the
 * outbox every one of these reports was lost. Now: nothing reaches Slack during the outage,
 * /readyz says Slack is down and the metrics count what waits; when Slack answers again every
 * report appears once, marked late, with Re-run, its evidence file after it in its thread; the
 * group's message before its hosts' replies, and edited to resolved after it exists. Real Bolt
 * app, real Redis and BullMQ, real worker; the hosts refuse SSH (a real host-unreachable, fast).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotHarness, redisAvailable, startBotHarness, unreachableInventory } from './bot-harness.js';
import { amPayload, hasRerun, headerOf, lateNoteOf, okPosts, postedAt, uploadedAt } from './outage-checks.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/slack-outage] skipped: ${skip}`);

const OUTAGE_MS = 95_000;
const TOKEN = randomBytes(24).toString('hex');

describe.skipIf(skip !== undefined)('a Slack outage longer than the retries: nothing is lost', () => {
  let bot: BotHarness | undefined;
  beforeAll(async () => {
    bot = await startBotHarness({
      // Port 9 on loopback: nothing listens, every SSH connection is refused at once.
      inventory: (dir) => unreachableInventory(dir, 9),
      env: { ALERT_CHANNEL: 'C0ALERTS', ALERT_WEBHOOK_TOKEN: TOKEN },
    });
    // Bolt checks its token (auth.test) once at start and acks every request with that answer: the
    // outage begins after serve is up, as it would in production.
    const s = bot.standin;
    await s.waitFor(() => s.callsOf('auth.test').some((c) => c.status === 200), 10_000, "Bolt's auth.test");
  }, 60_000);
  afterAll(async () => {
    await bot?.close();
  });

  it('three commands and an alert group during a 95 s outage: each report once, in order, marked late', async () => {
    if (!bot) throw new Error('setup failed');
    const b = bot;
    const { standin } = b;
    const alert = (status: 'firing' | 'resolved') =>
      fetch(`${b.url}/alerts/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        // db-9 is not in the inventory: a note in the thread says so, once, after the group's message.
        body: amPayload('{}:{alertname="NginxHigh502"}', ['web-1:9113', 'web-2:9113', 'db-9:9100'], status),
      });

    const outageStart = Date.now();
    standin.outage(OUTAGE_MS);
    const commands = [
      { text: 'web-1', channel: 'C0ONE', header: 'web-1:' },
      { text: 'web-2', channel: 'C0TWO', header: 'web-2:' },
      { text: 'web 1h', channel: 'C0GROUP', header: 'web:' },
    ];
    for (const c of commands) {
      const res = await b.command(c.text, { channel: c.channel, user: 'U0ONCALL' });
      expect(res.status).toBe(200);
      expect(res.body).toBe('');
    }
    // Taken, not answered 503: its hosts are diagnosed now, with the evidence of now.
    const firing = await alert('firing');
    expect(firing.status).toBe(200);
    expect(await firing.json()).toMatchObject({ ok: true, queued: 2, threads: 1, unknown: 1 });

    // Every diagnosis runs to its end during the outage, once.
    for (let i = 0; i < 600 && (await b.serve.queue.getCompletedCount()) < 5; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(
      await b.serve.queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed'),
    ).toMatchObject({ completed: 5, failed: 0, active: 0, waiting: 0, delayed: 0 });
    const resolved = await alert('resolved');
    expect(resolved.status).toBe(200);
    const diagnosedBy = Date.now();
    expect(standin.down).toBe(true);
    expect(standin.messages).toHaveLength(0);
    expect(standin.files).toHaveLength(0);

    // While it lasts: /readyz says Slack is down, the metrics show what waits.
    const ready = await fetch(`${b.url}/readyz`, b.auth);
    expect(ready.status).toBe(503);
    const readyBody = (await ready.json()) as { checks: Record<string, string> };
    expect(readyBody.checks.redis).toBe('ok');
    expect(readyBody.checks.slack).toMatch(/^Slack has not answered since .*; reports wait in the outbox$/);
    const metrics = await (await fetch(`${b.url}/metrics`, b.auth)).text();
    const pending = Number(/^diagnose502_deliveries_pending (\d+)/m.exec(metrics)?.[1]);
    // 5 reports, the group's message and its note, its edits (latest only).
    expect(pending).toBeGreaterThanOrEqual(7);
    expect(metrics).toMatch(/^diagnose502_slack_down 1$/m);
    const failedCalls = standin.calls.filter((c) => c.status === 503).length;

    await standin.waitFor(() => !standin.down, OUTAGE_MS + 5000, 'the end of the outage');
    const upAt = Date.now();
    const reportIn = (channel: string, header: string) =>
      standin.messages.find((m) => m.channel === channel && !m.threadTs && headerOf(m)?.startsWith(header));
    const head = () => standin.messages.find((m) => m.channel === 'C0ALERTS' && !m.threadTs);
    const replies = () =>
      standin.messages.filter((m) => m.threadTs !== undefined && m.threadTs === head()?.ts);
    await standin.waitFor(
      () =>
        commands.every((c) => reportIn(c.channel, c.header)) &&
        head()?.text.includes('resolved') &&
        replies().filter((m) => headerOf(m)).length === 2 &&
        standin.files.length === 5,
      90_000,
      'every report, thread and edit after the outage',
    );
    const deliveredAt = Date.now();
    // Anything posted twice would show up in the next seconds: give it the time.
    await new Promise((r) => setTimeout(r, 3000));

    for (const c of commands) {
      const inChannel = standin.messages.filter((m) => m.channel === c.channel);
      expect(inChannel, c.channel).toHaveLength(1);
      const report = inChannel[0];
      if (!report) throw new Error('unreachable');
      expect(headerOf(report)).toMatch(new RegExp(`^${c.header}`));
      expect(lateNoteOf(report), c.channel).toBeDefined();
      expect(report.text).toMatch(/Slack was unreachable until/);
      expect(hasRerun(report)).toBe(true);
      expect(JSON.stringify(report.blocks)).toContain('host-unreachable');
      const files = standin.files.filter((f) => f.threadTs === report.ts);
      expect(files.map((f) => f.filename.endsWith('.txt'))).toEqual([true]);
      const [file] = files;
      if (!file) throw new Error('unreachable');
      expect(postedAt(standin, report.ts)).toBeLessThan(uploadedAt(standin, file));
    }

    const group = head();
    if (!group) throw new Error('no group message');
    expect(standin.messages.filter((m) => m.channel === 'C0ALERTS' && !m.threadTs)).toHaveLength(1);
    expect(group.history[0]?.text).toMatch(/firing/);
    expect(group.text).toMatch(/resolved at/);
    const note = replies().filter((m) => !headerOf(m));
    expect(note.map((m) => m.text)).toEqual([expect.stringContaining('db-9')]);
    expect(postedAt(standin, group.ts)).toBeLessThan(postedAt(standin, note[0]?.ts ?? ''));
    const hostReplies = replies().filter((m) => headerOf(m));
    expect(hostReplies.map((m) => headerOf(m)?.split(':')[0]).sort()).toEqual(['web-1', 'web-2']);
    for (const reply of hostReplies) {
      expect(lateNoteOf(reply)).toBeDefined();
      expect(hasRerun(reply)).toBe(true);
      expect(postedAt(standin, group.ts)).toBeLessThan(postedAt(standin, reply.ts));
    }
    // Each reply's evidence file is in the group's thread (Slack threads are one level deep).
    const groupFiles = standin.files.filter((f) => f.threadTs === group.ts);
    expect(groupFiles).toHaveLength(2);
    for (const f of groupFiles) expect(uploadedAt(standin, f)).toBeGreaterThan(postedAt(standin, group.ts));
    // Edits of the group's message came after it was posted, the last one says resolved.
    const firstPost = postedAt(standin, group.ts);
    const edits = standin.calls
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.method === 'chat.update' && c.status === 200 && c.args.ts === group.ts);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    for (const { i } of edits) expect(i).toBeGreaterThan(firstPost);

    // Once: 3 reports + the group's message, its note + 2 replies, 5 files; nothing failed or expired.
    expect(okPosts(standin)).toBe(7);
    expect(standin.files).toHaveLength(5);
    const after = await (await fetch(`${b.url}/metrics`, b.auth)).text();
    expect(after).toMatch(/^diagnose502_deliveries_pending 0$/m);
    expect(after).toMatch(/^diagnose502_slack_down 0$/m);
    // The worker's own counters are on its /metrics (serve's and the worker's are one in `start`).
    const worker = await (await fetch(`http://127.0.0.1:${b.worker.port}/metrics`, b.auth)).text();
    expect(worker).not.toMatch(/diagnose502_deliveries_expired_total\{/);
    expect(worker).toMatch(/^diagnose502_deliveries_late_total\{kind="report"\} 5$/m);
    expect(worker).toMatch(
      /^diagnose502_diagnoses_total\{cause="host-unreachable",outcome="completed"\} 6$/m,
    );
    expect(worker).not.toMatch(/outcome="retrying"/);
    expect((await fetch(`${b.url}/readyz`, b.auth)).status).toBe(200);

    console.log(
      `[test/bot/slack-outage] outage ${Math.round((upAt - outageStart) / 1000)} s (${failedCalls} calls answered 503 during it); ` +
        `5 diagnoses done ${Math.round((diagnosedBy - outageStart) / 1000)} s into it; ` +
        `after Slack answered again: 5 reports, 5 evidence files, the group's message, its note and edits in ${((deliveredAt - upAt) / 1000).toFixed(1)} s; ` +
        `${okPosts(standin)} messages posted, doubles 0`,
    );
  }, 240_000);
});
