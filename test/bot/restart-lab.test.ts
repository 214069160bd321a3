/**
 * Safe restarts end to end (issue 12): a real Bolt app and worker, real Redis, real SSH into a lab
 * (id 67) whose app is down, clicks signed exactly as Slack signs them, and the Slack stand-in.
 * Run under the lab lock: `flock /tmp/d502-lab.lock npx vitest run test/bot/restart-lab.test.ts`.
 * The tests run in order on one lab: dry run, then the real restart (refusals, a race, a replay), a
 * restart whose verification fails, an expired button, and the cooldown.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { run, sleep } from '../../lab/exec.js';
import { type Lab, startLab } from '../../lab/fleet.js';
import { labUnavailableReason } from '../../lab/preflight.js';
import { driveTraffic, findScenario, restoreHost, runScenario } from '../../lab/scenarios.js';
import { type AuditEntry, readAudit } from '../../src/actions/audit.js';
import { actionKeys } from '../../src/actions/keys.js';
import { runAudit } from '../../src/actions/run-audit.js';
import type { Message } from '../slack-standin/server.js';
import { type BotHarness, REDIS_URL, redisAvailable, startBotHarness } from './bot-harness.js';
import { buttonClick, postSigned } from './slack-signing.js';

const LAB_ID = 67;
const skip = labUnavailableReason() ?? (await redisAvailable());
if (skip) console.warn(`[test/bot/restart-lab] skipped: ${skip}`);

const ONCALL = 'U0ONCALL';
const GROUPIE = 'U0GROUPIE';
const STRANGER = 'U0STRANGER';
const SRE_GROUP = 'S0SRE';

type Json = Record<string, unknown>;

/** OOM kills of other labs since `sinceMs` (their memcg names their lab id), as in lab-e2e.test.ts. */
async function foreignOomKills(sinceMs: number): Promise<string[]> {
  const { stdout } = await run('dmesg', ['--time-format', 'iso'], { allowFail: true });
  return stdout.split('\n').filter((line) => {
    const m = /^(\S+)\s+oom-kill:.*oom_memcg=\/d502-(\d+)\//.exec(line);
    if (!m?.[1] || Number(m[2]) === LAB_ID) return false;
    return Date.parse(m[1].replace(',', '.')) >= sinceMs;
  });
}
interface ButtonEl {
  action_id: string;
  value: string;
  text: { text: string };
  confirm: { title: { text: string }; text: { text: string } };
}

function headerOf(m: Message | undefined): string | undefined {
  const first = m?.blocks[0] as { type?: string; text?: { text?: string } } | undefined;
  return first?.type === 'header' ? first.text?.text : undefined;
}

function restartButtonOf(m: Message): ButtonEl | undefined {
  const block = m.blocks.find((b) => (b as Json).block_id === 'd502_restart_actions') as
    | { elements: ButtonEl[] }
    | undefined;
  return block?.elements[0];
}

describe.skipIf(skip !== undefined)('safe restarts from a button (real lab, real SSH, real Redis)', () => {
  let lab: Lab | undefined;
  let bot: BotHarness | undefined;
  let inventoryFile = '';
  let redis: Redis;
  const policy = { dryRun: true, expires: '15m', cooldown: '10m' };

  /** The lab's inventory plus a restart policy; web-2's "restart" exits 0 and leaves the app down. */
  async function writeInventory(): Promise<void> {
    if (!lab) throw new Error('no lab');
    const inv = parse(await readFile(lab.inventoryPath, 'utf8')) as {
      hosts: Record<string, { services: Array<{ name: string; restart: string }> }>;
      restart?: unknown;
    };
    const app2 = inv.hosts['web-2']?.services.find((s) => s.name === 'app');
    if (!app2) throw new Error('lab inventory: web-2 has no app service');
    app2.restart = '/bin/true';
    inv.restart = {
      allow: [{ users: [ONCALL], usergroups: [SRE_GROUP], targets: ['web'] }],
      cooldown: policy.cooldown,
      maxPerGroup: 1,
      expires: policy.expires,
      dryRun: policy.dryRun,
    };
    await writeFile(inventoryFile, stringify(inv));
  }

  beforeAll(async () => {
    lab = await startLab({ id: LAB_ID, hosts: 4, replace: true });
    redis = new Redis(REDIS_URL);
    bot = await startBotHarness({
      inventory: async (dir) => {
        inventoryFile = path.join(dir, 'inventory.yml');
        await writeInventory();
        return inventoryFile;
      },
      // One on-call person asks for every diagnosis here, with retries: not a test of the intake limits.
      env: { DIAGNOSE502_RATE_PER_USER: '1000', DIAGNOSE502_RATE_PER_CHANNEL: '1000' },
    });
    bot.standin.usergroups.set(SRE_GROUP, [GROUPIE, 'U0OTHER']);
  }, 300_000);
  afterAll(async () => {
    await bot?.close();
    redis?.disconnect();
    await lab?.stop();
  }, 300_000);

  const b = () => {
    if (!bot || !lab) throw new Error('setup failed');
    return { bot, lab };
  };
  const audit = async (): Promise<AuditEntry[]> =>
    readAudit(redis, actionKeys(b().bot.config.queueName).audit, 1000);

  /**
   * Breaks the app of `host` (and sends 502s through nginx), then diagnoses it with a 20 s window: the
   * final report. Every lab shares the machine's one kernel ring buffer, and the kernel-log probe reads
   * another lab's OOM kill of its `node` as this host's (the restart is then a person's call, rightly
   * without a button): when that happens the diagnosis is repeated once the kill is out of the window.
   */
  async function diagnoseDown(
    host: string,
    channel = 'C0INCIDENT',
    scenario = 'app-down',
    cause = 'upstream-down',
    apply = true,
  ): Promise<Message> {
    const { bot, lab } = b();
    for (let attempt = 1; ; attempt++) {
      // Without `apply` the fault is already there: only the failing requests are sent again.
      if (apply || attempt > 1) await runScenario(lab, host, scenario);
      else await driveTraffic(lab, host, findScenario(scenario).drive);
      const started = Date.now();
      const before = bot.standin.messages.length;
      const res = await bot.command(`${host} 20s`, { user: ONCALL, channel });
      expect(res.status).toBe(200);
      const report = await bot.standin.waitFor(
        () => bot.standin.messages.slice(before).find((m) => headerOf(m)?.startsWith(`${host}:`)),
        90_000,
        `the report on ${host}`,
      );
      if (JSON.stringify(report.blocks[1]).includes(`*${cause}*`) || attempt === 4) return report;
      const foreign = await foreignOomKills(started - 25_000);
      if (foreign.length === 0) return report;
      console.warn(
        `[test/bot/restart-lab] another lab's OOM kill is in the window; diagnosing again:\n${foreign.join('\n')}`,
      );
      await sleep(21_000);
    }
  }

  function buttonOrExplain(report: Message): ButtonEl {
    const button = restartButtonOf(report);
    if (!button) {
      // Say why (another lab's OOM kill in the shared kernel log makes the restart a person's call).
      throw new Error(`no restart button; report blocks: ${JSON.stringify(report.blocks).slice(0, 1500)}`);
    }
    return button;
  }

  /** Clicks a button as Slack would (signed); returns what was said to the clicker only. */
  async function click(button: ButtonEl, report: Message, user: string): Promise<Json[]> {
    const { bot } = b();
    const responseUrl = bot.standin.responseUrl();
    const res = await postSigned(
      `${bot.url}/slack/events`,
      buttonClick({
        actionId: button.action_id,
        value: button.value,
        channel: report.channel,
        messageTs: report.ts,
        user,
        responseUrl,
      }),
      { secret: bot.secret },
    );
    expect(res.status).toBe(200);
    const id = responseUrl.split('/').at(-1) ?? '';
    // Refusals answer through response_url (after the ack); an accepted click answers nothing there.
    const said = () => bot.standin.responses.get(id) ?? [];
    await bot.standin.waitFor(() => said().length > 0, 2000, 'a refusal').catch(() => undefined);
    return said();
  }

  /** The restart's message in the report's thread, once it shows an outcome. */
  function outcomeIn(report: Message, timeoutMs = 90_000): Promise<Message> {
    const { bot } = b();
    return bot.standin.waitFor(
      () =>
        bot.standin.messages.find(
          (m) => m.threadTs === report.ts && /Outcome: /.test(JSON.stringify(m.blocks)),
        ),
      timeoutMs,
      'the restart outcome in the thread',
    );
  }

  const appStatus = async (host: string) => (await b().lab.service(host, 'status', 'app')).stdout.trim();

  it('dry run: the button says so, the checks run, nothing is restarted', async () => {
    const { lab } = b();
    await restoreHost(lab, 'web-1');
    const report = await diagnoseDown('web-1');
    const button = buttonOrExplain(report);
    expect(button.text.text).toBe('Dry run: Restart app on web-1');
    expect(button.confirm.text.text).toContain('Dry run: nothing will run');
    await click(button, report, ONCALL);
    const status = await outcomeIn(report);
    const text = JSON.stringify(status.history);
    expect(text).toContain('dry run: would run `/usr/local/sbin/lab-service restart app` on web-1');
    expect(JSON.stringify(status.blocks)).toContain('Outcome: dry-run');
    expect(await appStatus('web-1')).toBe('app stopped');
    expect((await audit()).filter((e) => e.result === 'dry-run')).toHaveLength(1);
  }, 180_000);

  it('an authorized click restarts the app once (two racing clicks, a stranger and a replay refused); the 502s stop', async () => {
    const { bot, lab } = b();
    policy.dryRun = false;
    await writeInventory();
    const report = await diagnoseDown('web-1');
    expect(JSON.stringify(report.blocks[1])).toContain('*upstream-down*');
    const button = buttonOrExplain(report);
    // The button carries an opaque id only; the dialog names exactly what runs where.
    expect(button.value).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(button.confirm.text.text).toBe(
      `This runs \`/usr/local/sbin/lab-service restart app\` on web-1 (${lab.host('web-1').address}) over SSH, after a pre-check, then verifies the service and nginx.`,
    );

    const refused = await click(button, report, STRANGER);
    expect(refused[0]).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(refused[0]?.text)).toMatch(
      /You may not restart app on web-1: you are not in restart\.allow .*Nothing was done/,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(await appStatus('web-1')).toBe('app stopped');

    // Two people click at once (one by user id, one through the user group): one restart runs.
    const [a, g] = await Promise.all([click(button, report, ONCALL), click(button, report, GROUPIE)]);
    const answers = [...a, ...g].map((x) => String(x.text));
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatch(/already used by <@U0(ONCALL|GROUPIE)>.*nothing was done again/);
    expect(bot.standin.callsOf('usergroups.users.list').length).toBeGreaterThanOrEqual(1);

    const status = await outcomeIn(report);
    const versions = status.history.map((h) => JSON.stringify(h.blocks));
    // Every step was shown as it happened, then the outcome.
    for (const stepShown of [
      /hourglass_flowing_sand:.*\*lock\*/,
      /hourglass_flowing_sand:.*\*pre-check\*/,
      /hourglass_flowing_sand:.*\*run\*/,
      /hourglass_flowing_sand:.*\*verify\*/,
    ]) {
      expect(versions.some((v) => stepShown.test(v))).toBe(true);
    }
    const final = JSON.stringify(status.blocks);
    expect(final).toContain('Outcome: succeeded');
    expect(final).toMatch(
      /pre-check\*: still failing \(health http:\/\/127\.0\.0\.1:8081\/healthz: no answer/,
    );
    expect(final).toMatch(
      /verify\*: health http:\/\/127\.0\.0\.1:8081\/healthz: HTTP 200; GET \/ through nginx: HTTP 200; no new upstream errors/,
    );
    expect(await appStatus('web-1')).toMatch(/^app running pid=\d+ healthy$/);
    const after = await driveTraffic(lab, 'web-1', { path: '/', count: 3 });
    expect(after.statuses).toEqual([200, 200, 200]);

    // A replay of the same click is refused.
    const replay = await click(button, report, ONCALL);
    expect(String(replay[0]?.text)).toMatch(/already used/);

    const restartQueue = actionKeys(bot.config.queueName).queue;
    const entries = await audit();
    const forButton = entries.filter((e) => e.actionId === button.value);
    expect(forButton.map((e) => e.result).sort()).toEqual([
      'queued',
      'refused',
      'refused',
      'refused',
      'succeeded',
    ]);
    expect(forButton.find((e) => e.result === 'succeeded')).toMatchObject({
      host: 'web-1',
      service: 'app',
      command: '/usr/local/sbin/lab-service restart app',
      who: expect.stringMatching(/^U0(ONCALL|GROUPIE)$/),
    });
    const out: string[] = [];
    const code = await runAudit([], {
      env: { REDIS_URL, DIAGNOSE502_QUEUE: bot.config.queueName },
      stdout: { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream,
      stderr: process.stderr,
      version: 'test',
    });
    expect(code).toBe(0);
    expect(out.join('')).toMatch(
      /succeeded\s+U0(ONCALL|GROUPIE)\s+restart-service app on web-1: app on web-1 restarted and verified/,
    );
    console.log(`[test/bot/restart-lab] audit (${restartQueue}):\n${out.join('')}`);
  }, 240_000);

  it('a restart whose verification fails is reported as failed and not retried', async () => {
    const { lab } = b();
    await restoreHost(lab, 'web-2');
    const report = await diagnoseDown('web-2');
    const button = buttonOrExplain(report);
    expect(button.confirm.text.text).toContain('runs `/bin/true` on web-2');
    await click(button, report, ONCALL);
    const status = await outcomeIn(report);
    const final = JSON.stringify(status.blocks);
    expect(final).toContain('Outcome: failed');
    expect(final).toMatch(/run\*: `\/bin\/true` exited 0/);
    expect(final).toMatch(
      /verify\*: health http:\/\/127\.0\.0\.1:8081\/healthz: no answer .*GET \/ through nginx: HTTP 502; \d+ new upstream error/,
    );
    expect(await appStatus('web-2')).toBe('app stopped');
    await new Promise((r) => setTimeout(r, 3000));
    const mine = (await audit()).filter((e) => e.actionId === button.value);
    expect(mine.map((e) => e.result)).toEqual(['queued', 'failed']);
  }, 180_000);

  it('an expired button is refused and changes nothing; within the cooldown a fresh one is refused too', async () => {
    const { bot } = b();
    policy.expires = '2s';
    await writeInventory();
    const report = await diagnoseDown('web-2');
    const button = buttonOrExplain(report);
    await new Promise((r) => setTimeout(r, 2500));
    const refused = await click(button, report, ONCALL);
    expect(String(refused[0]?.text)).toMatch(/This restart button expired at .*nothing was done/);

    policy.expires = '15m';
    await writeInventory();
    const fresh = await diagnoseDown('web-2');
    await click(buttonOrExplain(fresh), fresh, ONCALL);
    const status = await outcomeIn(fresh);
    expect(JSON.stringify(status.blocks)).toMatch(
      /Outcome: locked-out.*app on web-2 was restarted recently; the cooldown ends in \d+ s/,
    );
    expect(bot.standin.messages.filter((m) => m.threadTs === report.ts)).toHaveLength(0);
    expect(await appStatus('web-2')).toBe('app stopped');
    const results = (await audit()).map((e) => e.result);
    expect(results.filter((r) => r === 'succeeded')).toHaveLength(1);
  }, 240_000);
  it('two reports in two channels, clicked at once: one restart runs, the other is refused', async () => {
    const { lab } = b();
    await restoreHost(lab, 'web-3');
    const first = await diagnoseDown('web-3', 'C0INCIDENT');
    const second = await diagnoseDown('web-3', 'C0OTHER');
    const [b1, b2] = [buttonOrExplain(first), buttonOrExplain(second)];
    expect(b1.value).not.toBe(b2.value);
    await Promise.all([click(b1, first, ONCALL), click(b2, second, GROUPIE)]);
    const [o1, o2] = await Promise.all([outcomeIn(first), outcomeIn(second)]);
    const outcomes = [o1, o2].map((m) => /Outcome: ([a-z-]+)/.exec(JSON.stringify(m.blocks))?.[1]).sort();
    expect(outcomes).toEqual(['locked-out', 'succeeded']);
    const refusedWhy = JSON.stringify([o1, o2].map((m) => m.blocks));
    expect(refusedWhy).toMatch(
      /another restart of app on web-3 is running|app on web-3 was restarted recently/,
    );
    const results = (await audit()).filter((e) => e.actionId === b1.value || e.actionId === b2.value);
    expect(results.filter((e) => e.result === 'succeeded')).toHaveLength(1);
    expect(await appStatus('web-3')).toMatch(/^app running pid=\d+ healthy$/);
  }, 240_000);
  it('nginx reload: blocked while nginx -t fails; once it passes, reloaded, and verification reports what it saw', async () => {
    const { lab } = b();
    Object.assign(policy, { dryRun: false, expires: '15m' });
    await writeInventory();
    await restoreHost(lab, 'web-1');
    const report = await diagnoseDown('web-1', 'C0INCIDENT', 'address-changed', 'upstream-address-changed');
    expect(JSON.stringify(report.blocks[1])).toContain('*upstream-address-changed*');
    const button = buttonOrExplain(report);
    expect(button.text.text).toBe('Reload nginx on web-1');
    expect(button.confirm.text.text).toContain('runs `nginx -s reload` on web-1');
    // A broken config file appears before the click: nginx -t fails, nothing is reloaded.
    await lab.exec('web-1', "echo 'bogus_directive on;' > /etc/nginx/conf.d/zz-broken.conf");
    await click(button, report, ONCALL);
    const blocked = JSON.stringify((await outcomeIn(report)).blocks);
    expect(blocked).toMatch(/Outcome: blocked.*nginx -t failed, nothing reloaded: .*unknown directive/);
    expect(blocked).not.toContain('*run*');

    await lab.exec('web-1', 'rm -f /etc/nginx/conf.d/zz-broken.conf');
    const again = await diagnoseDown(
      'web-1',
      'C0OTHER',
      'address-changed',
      'upstream-address-changed',
      false,
    );
    const fresh = buttonOrExplain(again);
    await click(fresh, again, ONCALL);
    const done = JSON.stringify((await outcomeIn(again)).blocks);
    expect(done).toMatch(/run\*: `nginx -s reload` exited 0/);
    // The reload re-resolved app-1 (nginx now dials its new address), but in the lab that address is
    // not reachable from web-1 (checked directly below), so the requests still time out: the
    // verification must say failed, with what it saw, and nothing is retried.
    const moved = /upstream: \\"http:\/\/(10\.88\.\d+\.25[1-4]):8080/.exec(done)?.[1];
    expect(moved, done).toBeDefined();
    const direct = await lab.exec(
      'web-1',
      `curl -s -o /dev/null -w '%{http_code}' -m 3 http://${moved}:8080/`,
      {
        allowFail: true,
      },
    );
    console.log(
      `[test/bot/restart-lab] after the reload: ${moved}:8080 from web-1 answers ${direct.stdout.trim()}`,
    );
    if (direct.stdout.trim() === '200') {
      expect(done).toContain('Outcome: succeeded');
    } else {
      expect(done).toMatch(/Outcome: failed.*GET \/remote\/ through nginx: HTTP 504; \d+ new upstream error/);
    }
    const mine = (await audit()).filter((e) => e.actionId === fresh.value).map((e) => e.result);
    expect(mine).toEqual(['queued', direct.stdout.trim() === '200' ? 'succeeded' : 'failed']);
    await restoreHost(lab, 'web-1');
  }, 240_000);
});
