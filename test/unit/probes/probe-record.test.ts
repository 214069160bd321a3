import { describe, expect, it } from 'vitest';
import { buildEvidence } from '../../../src/diagnosis/build-evidence.js';
import { HostFacts } from '../../../src/facts/host-facts.js';
import { errorLogProbe } from '../../../src/probes/defs/log-tail.js';
import { nginxConfigProbe } from '../../../src/probes/defs/nginx-config.js';
import { systemProbe } from '../../../src/probes/defs/system.js';
import { upstreamsProbe } from '../../../src/probes/defs/upstreams.js';
import { ALL_PROBES, PROBE_BATCHES } from '../../../src/probes/probe-set.js';
import { type AnyProbeRecord, defineProbe, type NoEvidence } from '../../../src/probes/record.js';
import type { ProbeContext } from '../../../src/probes/types.js';

const CTX: ProbeContext = {
  host: {
    name: 'web-3',
    address: '10.0.0.3',
    nginx: { errorLog: '/var/log/nginx/error.log', accessLog: '/var/log/nginx/access.log' },
    services: [],
  },
  sinceS: 900,
};

describe('a probe is one record', () => {
  it('every probe of the set is in one batch once, with its parse, check line and evidence part', () => {
    const ids = PROBE_BATCHES.flatMap((b) => b.probes.map((p) => p.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of ALL_PROBES) {
      expect(typeof p.parse, p.id).toBe('function');
      expect(typeof p.check, p.id).toBe('function');
      expect(typeof p.evidence, p.id).toBe('function');
    }
  });

  it('an input made at run time comes from probes that run before it on the same channel', () => {
    for (const batch of PROBE_BATCHES) {
      const order: string[] = batch.probes.map((p) => p.id);
      for (const p of batch.probes as readonly AnyProbeRecord[]) {
        expect(p.runtimeInput === true, p.id).toBe(p.input !== undefined);
        for (const dep of p.inputAfter ?? []) {
          expect(order.indexOf(dep.id), `${p.id} waits for ${dep.id}`).toBeGreaterThanOrEqual(0);
          expect(order.indexOf(dep.id), `${p.id} waits for ${dep.id}`).toBeLessThan(order.indexOf(p.id));
        }
      }
    }
  });

  it('a record without its check line or its part of the evidence does not compile', () => {
    const spec = { id: 'x', title: 'x', script: 'true', privileged: false, maxBytes: 1 } as const;
    // @ts-expect-error: no check line, no evidence part
    defineProbe({ ...spec, parse: (stdout: string) => stdout.length });
    // @ts-expect-error: the check line reads the record's own output type, not another one
    defineProbe({ ...spec, parse: (s: string) => s.length, check: (n: string) => n, evidence: () => ({}) });
    const ok = defineProbe({
      ...spec,
      parse: (s: string) => s.length,
      check: (n) => ({ status: n > 0 ? 'ok' : 'warn', summary: `${n} bytes` }),
      evidence: (): NoEvidence => ({}),
    });
    expect(ok.check(3, new HostFacts(CTX))).toEqual({ status: 'ok', summary: '3 bytes' });
  });
});

describe('the facts between probes and diagnosis', () => {
  it('one host clock and window: the first clock a probe read, not this machine', () => {
    const facts = new HostFacts(CTX, () => Date.UTC(2030, 0, 1));
    expect(facts.window.endMs).toBe(Date.UTC(2030, 0, 1));
    const hostNowS = Date.UTC(2026, 10, 21, 12, 0, 0) / 1000;
    const tail = `__DATE ${hostNowS} +0200\n__TAIL\n2026/11/21 13:50:00 [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: _, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "x"\n2026/11/21 13:40:00 [error] 1#1: *2 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: _, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "x"\n`;
    facts.store(errorLogProbe, errorLogProbe.parse(tail, { truncated: false, view: facts }));
    // A later clock (another batch's) does not move the window the error log was cut to.
    facts.store(
      systemProbe,
      systemProbe.parse(`__DATE ${hostNowS + 5} +0200\n`, { truncated: false, view: facts }),
    );
    expect(facts.clock).toEqual({ nowS: hostNowS, utcOffsetMinutes: 120 });
    const ev = buildEvidence(facts);
    expect(ev.collectedAtMs).toBe(hostNowS * 1000);
    expect(ev.windowStartMs).toBe((hostNowS - 900) * 1000);
    expect(ev.utcOffsetMinutes).toBe(120);
    // 13:50 +02:00 is 11:50 UTC, inside the 15 minutes; 13:40 is not. Check line and evidence agree.
    expect(ev.errorLog?.entries).toHaveLength(1);
    const read = facts.result(errorLogProbe);
    if (!read) throw new Error('error-log not stored');
    expect(errorLogProbe.check(read, facts)).toEqual({
      status: 'warn',
      summary: '1 upstream error in the last 15m: 1× connect_refused',
    });
  });

  it('a probe that could not run leaves its part "could not check", and the targets it was sent unknown', () => {
    const facts = new HostFacts(CTX);
    const dump =
      'nginx version: nginx/1.22.1\nhttp {\n upstream app { server 127.0.0.1:8081; }\n server { location / { proxy_pass http://app; } }\n}\n__EXIT 0\n';
    facts.store(nginxConfigProbe, nginxConfigProbe.parse(dump, { truncated: false, view: facts }));
    facts.fail(upstreamsProbe, 'timed out after 5 s');
    facts.fail(errorLogProbe, 'timed out after 3 s');
    const ev = buildEvidence(facts);
    expect(ev.unavailable).toEqual({ upstreams: 'timed out after 5 s', 'error-log': 'timed out after 3 s' });
    expect(ev.errorLog).toBeUndefined();
    expect(ev.targets.map((t) => [t.state, t.detail])).toEqual([['unknown', '127.0.0.1:8081: not checked']]);
    expect(ev.nginx.configTestOk).toBe(true);
  });
});
