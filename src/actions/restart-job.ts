/**
 * Step 5 of the restart protocol, and the job that runs steps 3 to 7 in order: lock, pre-check, the
 * inventory's restart command over SSH, verification, outcome and audit. Each step is shown as it
 * happens. The step is recorded in the job before and after the command (job.updateData), so a
 * worker that crashed while the command ran is never followed by a second run.
 */
import { type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { Inventory, ResolvedHost } from '../inventory/types.js';
import type { Connect, Session } from '../pipeline/diagnose-host.js';
import type { RedisConn } from '../queue/redis.js';
import { type ActionRecord, loadActionRecord } from './action-record.js';
import { type AuditResult, appendAudit } from './audit.js';
import { authorize } from './authorize.js';
import { fileSize } from './checks.js';
import type { ActionKeys } from './keys.js';
import { lockRestart, startCooldown } from './lock.js';
import { NGINX_RELOAD_COMMAND } from './offer-restarts.js';
import { preCheck } from './pre-check.js';
import { type RestartJobData, RestartJobDataSchema } from './restart-job-data.js';
import type { RestartReporter } from './restart-reporter.js';
import type { RestartStep } from './restart-step.js';
import { verifyRestart } from './verify.js';

export interface RestartOutcome {
  result: AuditResult;
  summary: string;
}

export type RestartProcessor = (
  job: Job<RestartJobData, RestartOutcome>,
  token?: string,
  signal?: AbortSignal,
) => Promise<RestartOutcome>;

export interface RestartJobDeps {
  redis: RedisConn;
  keys: ActionKeys;
  /** Read per job, so the policy and commands in force are the current ones. */
  inventory(): Promise<Inventory>;
  connect(hosts: readonly ResolvedHost[]): Connect;
  reporter: RestartReporter;
  logger: Logger;
  /**
   * Members of a Slack user group, for the policy check when the job runs (as at the click). Fails
   * closed: without it, only rules that name the user by id allow the restart.
   */
  membersOf?: (usergroup: string) => Promise<readonly string[]>;
  /** The clock (tests); Date.now by default. */
  now?: () => number;
  /** The restart command's time limit. */
  commandTimeoutMs?: number;
  verifyBudgetMs?: number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createRestartProcessor(deps: RestartJobDeps): RestartProcessor {
  return async (job, _token, signal) => {
    const parsed = RestartJobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid restart job data: ${parsed.error.message}`);
    const data = parsed.data;
    const record = await loadActionRecord(deps.redis, deps.keys, data.actionId);
    if (!record) throw new UnrecoverableError(`action record ${data.actionId} is gone`);
    const log = deps.logger.child({ jobId: job.id, host: record.host, service: record.service });
    const steps: RestartStep[] = [];
    let statusTs = data.statusTs;
    const save = (patch: Partial<RestartJobData>) =>
      job.updateData({ ...data, ...(statusTs ? { statusTs } : {}), ...patch });
    const show = async (outcome?: RestartOutcome) => {
      try {
        statusTs = await deps.reporter.show(
          {
            record,
            userId: data.userId,
            channel: data.channel,
            threadTs: data.threadTs,
            ...(statusTs ? { statusTs } : {}),
          },
          steps,
          outcome,
        );
      } catch (err) {
        // The restart goes on when Slack is unreachable: the audit stream still has it.
        log.warn({ err: message(err) }, 'restart message not updated');
      }
    };
    const step = async (name: string, state: RestartStep['state'], detail: string) => {
      const last = steps.at(-1);
      if (last?.name === name) steps[steps.length - 1] = { name, state, detail };
      else steps.push({ name, state, detail });
      await show();
    };
    const end = async (result: AuditResult, summary: string, output?: string): Promise<RestartOutcome> => {
      await show({ result, summary });
      await appendAudit(deps.redis, deps.keys.audit, log, {
        who: data.userId,
        action: record.kind,
        host: record.host,
        service: record.service,
        command: record.command,
        actionId: record.id,
        result,
        detail: `${summary} [${steps.map((s) => `${s.name}: ${s.state}`).join(', ')}]`,
        ...(output !== undefined ? { output } : {}),
      });
      await save({ step: 'done' });
      return { result, summary };
    };

    if (data.step === 'done') return { result: 'unknown', summary: 'already reported' };
    if (data.step === 'running' || data.step === 'ran') {
      await step('run', 'failed', 'a worker stopped while this restart ran; it is not run a second time');
      return end('unknown', `the outcome is unknown: check ${record.service} on ${record.host} by hand`);
    }

    let inventory: Inventory;
    try {
      inventory = await deps.inventory();
    } catch (err) {
      await step('lock', 'refused', `the inventory cannot be read: ${message(err)}`);
      return end('blocked', 'nothing was done: the inventory cannot be read');
    }
    // The click was checked when it came; the job may start much later (no worker was running):
    // its age, the button's expiry and the policy are checked again now.
    const refused = await staleOrForbidden(deps, inventory, record, data.userId, job.timestamp);
    if (refused) {
      await step('lock', 'refused', refused);
      return end('refused', `nothing was done: ${refused}`);
    }
    const host = inventory.hosts.get(record.host);
    const service = host?.services.find((s) => s.name === record.service);
    // The command must still be the inventory's: editing the inventory withdraws older buttons.
    const current = record.kind === 'reload-nginx' ? NGINX_RELOAD_COMMAND : service?.restart;
    if (!host || current !== record.command) {
      await step('lock', 'refused', 'the inventory no longer has this command for this host');
      return end('blocked', `nothing was done: the inventory changed since the button was made`);
    }

    await step('lock', 'running', `locking ${record.service} on ${record.host}`);
    const lock = await lockRestart(
      deps.redis,
      deps.keys,
      inventory,
      record,
      String(job.id),
      inventory.restart?.maxPerGroup ?? 1,
    );
    if (!lock.ok) {
      await step('lock', 'refused', lock.reason);
      return end('locked-out', `nothing was done: ${lock.reason}`);
    }
    let session: Session | undefined;
    try {
      await step('lock', 'ok', `held for ${record.service} on ${record.host}`);
      await save({ step: 'locked' });
      await step('pre-check', 'running', 'probing again');
      try {
        session = await deps.connect([host])(host, signal);
      } catch (err) {
        await step('pre-check', 'failed', `could not reach ${record.host} over SSH: ${message(err)}`);
        return end('failed', 'nothing was done: the host cannot be reached over SSH');
      }
      const pre = await preCheck(session, record, service, host.nginx.errorLog);
      if (pre.verdict === 'ask') {
        await step('pre-check', 'refused', pre.detail);
        return end('blocked', `nothing was done: ${pre.detail}`);
      }
      if (pre.verdict === 'fault-gone') {
        await step('pre-check', 'ok', pre.detail);
        return end('fault-gone', `nothing was done: ${pre.detail}`);
      }
      if (pre.verdict === 'blocked') {
        await step('pre-check', 'failed', pre.detail);
        return end('blocked', pre.detail);
      }
      await step('pre-check', 'ok', pre.detail);
      if (record.dryRun || inventory.restart?.dryRun) {
        await step('run', 'skipped', `dry run: would run \`${record.command}\` on ${record.host}`);
        await step(
          'verify',
          'skipped',
          'dry run: would check health, a request through nginx and the error log',
        );
        return end('dry-run', `dry run: nothing was run on ${record.host}`);
      }

      await startCooldown(
        deps.redis,
        deps.keys,
        record.host,
        record.service,
        inventory.restart?.cooldownMs ?? 600_000,
      );
      // Recorded before the command: a crash from here on is never followed by a second run.
      await save({ step: 'running' });
      await step('run', 'running', `\`${record.command}\``);
      const r = await session.run(record.command, {
        timeoutMs: deps.commandTimeoutMs ?? 120_000,
        maxBytes: 64 * 1024,
        privileged: true,
      });
      await save({ step: 'ran', exitCode: r.code });
      const output = `${r.stdout}${r.stderr}`.trim();
      if (r.code !== 0) {
        const why = r.timedOut ? 'timed out' : `exited with ${r.code ?? 'no code'}`;
        await step('run', 'failed', `\`${record.command}\` ${why}`);
        return end('failed', `the restart command ${why}; not retried`, output);
      }
      await step('run', 'ok', `\`${record.command}\` exited 0 in ${(r.durationMs / 1000).toFixed(1)} s`);
      const offset = await fileSize(session, host.nginx.errorLog);
      await step('verify', 'running', 'health, a request through nginx, the error log');
      const v = await verifyRestart(
        session,
        record,
        service,
        { path: host.nginx.errorLog, offset },
        {
          ...(deps.verifyBudgetMs !== undefined ? { budgetMs: deps.verifyBudgetMs } : {}),
          ...(pre.request ? { request: pre.request } : {}),
        },
      );
      await step('verify', v.ok ? 'ok' : 'failed', v.seen.join('; '));
      return v.ok
        ? end('succeeded', `${record.service} on ${record.host} restarted and verified`, output)
        : end(
            'failed',
            `the restart ran but verification failed (${v.seen.join('; ')}); not retried`,
            output,
          );
    } finally {
      await session?.close();
      await lock.held.release();
    }
  };
}

const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Why an accepted click may no longer run (too old, expired, no longer allowed), or undefined. */
async function staleOrForbidden(
  deps: RestartJobDeps,
  inventory: Inventory,
  record: ActionRecord,
  userId: string,
  clickedAt: number,
): Promise<string | undefined> {
  const now = (deps.now ?? Date.now)();
  const policy = inventory.restart;
  if (!policy) return 'the inventory has no restart: policy any more, so nobody may restart';
  if (now - clickedAt > policy.maxAgeMs)
    return `the click of ${when(clickedAt)} waited ${Math.round((now - clickedAt) / 1000)} s for a worker, longer than restart.maxAge (${Math.round(policy.maxAgeMs / 1000)} s); run /diagnose502 ${record.host} again for a fresh diagnosis`;
  if (now >= record.expiresAt)
    return `the button expired at ${when(record.expiresAt)} before a worker took the click; run /diagnose502 ${record.host} again`;
  const authz = await authorize(policy, userId, record.host, deps.membersOf ?? (async () => []));
  if (!authz.allowed)
    return `the user who clicked may no longer restart ${record.service} on ${record.host}: ${authz.reason}`;
  return undefined;
}
