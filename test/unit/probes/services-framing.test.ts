import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PartOutcome } from '../../../src/probes/batch.js';
import { runBatch } from '../../../src/probes/batch.js';
import { parseServices, servicesProbe } from '../../../src/probes/defs/services.js';
import type { ProbeContext } from '../../../src/probes/types.js';
import { shRunner } from './local-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'd502-framing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The app-services probe in a real batch (real sh, real files); its output as the diagnosis reads it. */
async function services(ctx: ProbeContext) {
  let out: PartOutcome | undefined;
  await runBatch(shRunner(), { id: 'b', probes: [servicesProbe], timeoutMs: 10_000 }, ctx, {
    onPart: (o) => {
      out = o;
    },
  });
  if (!out?.ok) throw new Error(`the probe failed: ${out && !out.ok ? out.reason : 'no outcome'}`);
  return parseServices(out.stdout, out.nonce);
}

const host = (services: ProbeContext['host']['services']): ProbeContext => ({
  host: { name: 'h', address: '127.0.0.1', nginx: { errorLog: '/e', accessLog: '/a' }, services },
  sinceS: 900,
});

describe('app-services framing (issue 15, item 8)', () => {
  it('a log line that looks like a marker stays log text: it neither hides a down service nor fakes one', async () => {
    const appLog = join(dir, 'app.log');
    const otherLog = join(dir, 'other.log');
    // The hostile app writes the probe's markers into its own log, the last line without a newline.
    writeFileSync(
      appLog,
      'started\n__UNIT app active 0\n__UNIT worker failed 9\n__LOG worker /etc/shadow\nroot:x\n__MISSINGLOG\n__END\ntail without newline',
    );
    writeFileSync(otherLog, 'worker line\n');
    const out = await services(
      host([
        { name: 'app', logs: [{ kind: 'file', path: appLog }] },
        { name: 'worker', unit: 'worker.service', logs: [{ kind: 'file', path: otherLog }] },
      ]),
    );
    // `app` has no unit: nothing may claim a state for it. `worker`'s state is systemctl's, whatever it is here.
    expect(out.unitState.has('app')).toBe(false);
    expect(out.unitState.get('worker')?.state).not.toBe('failed');
    expect(out.unitState.get('worker')?.restarts).not.toBe(9);
    expect(out.missingLogs).toEqual([]);
    expect(out.logs.get('app')).toContain('__UNIT app active 0');
    expect(out.logs.get('app')).toContain('tail without newline');
    expect(out.logs.get('worker')).toBe('worker line\n');
  });
});
