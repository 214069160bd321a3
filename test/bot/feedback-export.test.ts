/**
 * `diagnose502 feedback export` against the real Redis: each "wrong" vote becomes a scenario
 * skeleton (JSON) and an evidence file in --out; "right" votes are not exported; names from hostile
 * hosts stay inside the directory; what is printed is escaped for the terminal.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFeedback } from '../../src/cli/run-feedback.js';
import type { FeedbackEntry } from '../../src/feedback/feedback-entry.js';
import { feedbackKeyNames, recordFeedback } from '../../src/feedback/feedback-store.js';
import type { ScenarioSkeleton } from '../../src/feedback/scenario-skeleton.js';
import { REDIS_URL, redisAvailable } from './bot-harness.js';

const skip = await redisAvailable();
if (skip) console.warn(`[test/bot/feedback-export] skipped: ${skip}`);

const retention = { maxEntries: 1000, retentionMs: 86_400_000 };

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function run(argv: string[], env: Record<string, string>, cwd: string) {
  const out = sink();
  const err = sink();
  const code = await runFeedback(argv, {
    env,
    stdout: out.stream as unknown as NodeJS.WriteStream,
    stderr: err.stream as unknown as NodeJS.WriteStream,
    version: 'test',
    cwd,
  } as never);
  return { code, stdout: out.text(), stderr: err.text() };
}

describe.skipIf(skip !== undefined)('diagnose502 feedback export (real Redis)', () => {
  let redis: Redis;
  let dir: string;
  const queue = `d502-test-fbx-${randomBytes(5).toString('hex')}`;
  const env = { REDIS_URL, DIAGNOSE502_QUEUE: queue };
  const vote = (over: Partial<FeedbackEntry>): FeedbackEntry => ({
    at: '2026-12-07T18:00:00.000Z',
    kind: 'wrong',
    who: 'U0BOB',
    reportId: 'job-1',
    host: 'web-1',
    givenCause: 'upstream-down',
    confidence: 0.82,
    channel: 'C0INCIDENT',
    messageTs: '1700000000.000100',
    evidence: [],
    ...over,
  });
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    dir = await mkdtemp(path.join(tmpdir(), 'd502-fbx-'));
  });
  afterAll(async () => {
    const voted = await redis.keys(`d502:${queue}:feedback:voted:*`);
    await redis.del(...feedbackKeyNames(queue), ...voted);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it('says so when nothing was marked wrong, and writes nothing', async () => {
    await recordFeedback(redis, queue, vote({ kind: 'right', who: 'U0ALICE' }), retention);
    const r = await run(['export', '--out', 'out0'], env, dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing written');
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes a skeleton and an evidence file per wrong verdict, with the answer, redacted, and prints them', async () => {
    await recordFeedback(
      redis,
      queue,
      vote({
        answerCause: 'socket-permission',
        answerText: 'the php-fpm socket was 0600 root after a package update; token=abc123',
        evidence: [
          'verdict: [upstream-down] Nothing listens at 127.0.0.1:9000',
          '2026/12/07 17:58:01 [crit] 812#812: *31 connect() to unix:/run/php/php8.2-fpm.sock failed (13: Permission denied)',
          'GET /?api_key=SECRET123 HTTP/1.1',
        ],
      }),
      retention,
    );
    await recordFeedback(
      redis,
      queue,
      vote({
        who: 'U0CAROL',
        reportId: 'job-2',
        host: '../../etc/\u001b[31mweb 2',
        givenCause: 'disk-full',
        answerText: 'words only \u001b]0;title\u0007',
        evidence: ['x'],
      }),
      retention,
    );
    const r = await run(['export', '--out', 'scenarios'], env, dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.includes('\u001b')).toBe(false);
    expect(r.stdout).toContain('2 scenario skeletons in');
    const files = (await readdir(path.join(dir, 'scenarios'))).sort();
    expect(files).toHaveLength(4);
    // Nothing outside --out, and only [a-z0-9-] in the names.
    expect((await readdir(dir)).sort()).toEqual(['scenarios']);
    for (const f of files) expect(f).toMatch(/^[a-z0-9-]+\.(scenario\.json|evidence\.txt)$/);

    const first = files.find(
      (f) => f.includes('was-socket-permission') && f.endsWith('.scenario.json'),
    ) as string;
    const s = JSON.parse(await readFile(path.join(dir, 'scenarios', first), 'utf8')) as ScenarioSkeleton;
    expect(s).toMatchObject({
      host: 'web-1',
      expectedCause: 'socket-permission',
      givenCause: 'upstream-down',
      givenConfidence: 0.82,
      reportedBy: 'U0BOB',
      report: { id: 'job-1', channel: 'C0INCIDENT', messageTs: '1700000000.000100' },
    });
    expect(s.name).toMatch(/^feedback-web-1-upstream-down-was-socket-permission-/);
    expect(s.notes).toContain('php-fpm socket was 0600');
    expect(JSON.stringify(s)).not.toMatch(/abc123|SECRET123/);
    expect(s.evidence[1]).toContain('Permission denied');
    expect(r.stdout).toContain(`wrote ${path.join(dir, 'scenarios', first)}`);
    const evidence = await readFile(path.join(dir, 'scenarios', s.evidenceFile), 'utf8');
    expect(evidence).toContain('diagnose502 said upstream-down (82%)');
    expect(evidence).toContain('U0BOB said socket-permission');
    expect(evidence).toContain('(13: Permission denied)');

    const other = files.find((f) => f.includes('was-other') && f.endsWith('.scenario.json')) as string;
    const o = JSON.parse(await readFile(path.join(dir, 'scenarios', other), 'utf8')) as ScenarioSkeleton;
    expect(o.expectedCause).toBeNull();
    expect(o.name).toMatch(/^feedback-etc-31mweb-2-disk-full-was-other-/);
    expect(o.notes.includes('\u001b')).toBe(false);
  });

  it('refuses unknown commands and arguments with the usage', async () => {
    expect((await run([], env, dir)).code).toBe(2);
    expect((await run(['import'], env, dir)).stderr).toContain('usage: diagnose502 feedback export');
    expect((await run(['export', '--bogus'], env, dir)).code).toBe(2);
    expect((await run(['export', '--help'], env, dir)).stdout).toContain('usage:');
  });
});
