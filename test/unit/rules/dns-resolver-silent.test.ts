/**
 * A resolver that does not answer: the upstream probe's bounded lookup reports it (`R?` and the
 * nameservers), the target check says so, and `dns-failure` names the resolver beside nginx's line.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import { dnsFailureRule } from '../../../src/diagnosis/rules/dns-failure.js';
import { parseUpstreams } from '../../../src/probes/defs/upstreams.js';
import { targetState } from '../../../src/probes/target-state.js';
import { healthy, withErrors, withSite } from './evidence-builder.js';

const SITE = `server {
    listen 80;
    location /remote/ {
        resolver 10.88.41.2 valid=10s ipv6=off;
        resolver_timeout 2s;
        set $remote_upstream api.internal.test;
        proxy_pass http://$remote_upstream:8080;
    }
}
`;
// nginx's own wording (ngx_http_upstream.c: "%V could not be resolved (%i: %s)"), as the lab's nginx 1.22 logs it.
const LOGGED =
  '2026/11/21 10:14:02 [error] 31#31: *7 api.internal.test could not be resolved (110: Operation timed out), client: 10.88.41.1, server: web-1, request: "GET /remote/ HTTP/1.1", host: "web-1"';

function silentResolver() {
  const ev = withSite(healthy(), SITE);
  const raw = parseUpstreams('__0 R? 10.88.41.2\n__END\n', 1);
  ev.targets = (ev.nginx.config?.targets ?? [])
    .filter((t) => t.kind === 'tcp' && t.host === 'api.internal.test')
    .map((t) => targetState(t, raw[0]));
  return ev;
}

describe('a resolver that does not answer', () => {
  it('the target check says the resolver gave no answer, naming it, and no connect was tried', () => {
    const [check] = silentResolver().targets;
    expect(check).toMatchObject({
      state: 'unresolved',
      resolverSilent: ['10.88.41.2'],
      detail: 'api.internal.test: the resolver (10.88.41.2) did not answer within 2s',
    });
    expect(check?.lines).toEqual([
      'getent ahosts: no answer within 2s (/etc/resolv.conf: nameserver 10.88.41.2)',
    ]);
  });

  it('with what nginx logged: dns-failure first, naming the dead resolver, quoting both', () => {
    const ev = withErrors(silentResolver(), LOGGED);
    const [first] = diagnose(ev);
    expect(first?.cause).toBe('dns-failure');
    expect(first?.confidence).toBeGreaterThanOrEqual(0.95);
    expect(first?.title).toBe(
      'api.internal.test does not resolve at run time: the resolver 10.88.41.2 does not answer',
    );
    expect(first?.evidence).toContain(
      'api.internal.test: the resolver (10.88.41.2) did not answer within 2s',
    );
    expect(first?.evidence.some((e) => e.includes('could not be resolved (110: Operation timed out)'))).toBe(
      true,
    );
    expect(first?.remediation[0]).toContain('dig +time=2 +tries=1 @10.88.41.2 api.internal.test');
  });

  it("nginx's resolver timing out is named even when the probe's own lookup answered", () => {
    const ev = withErrors(withSite(healthy(), SITE), LOGGED);
    const [f] = dnsFailureRule(ev);
    expect(f?.title).toBe(
      "api.internal.test does not resolve at run time: nginx's resolver 10.88.41.2 does not answer",
    );
  });

  it('without a logged error, the silent resolver alone is a weaker dns-failure', () => {
    const [f] = dnsFailureRule(silentResolver());
    expect(f?.title).toBe(
      'api.internal.test:8080 does not resolve (probe): the resolver 10.88.41.2 does not answer',
    );
    expect(f?.confidence).toBeLessThan(0.9);
  });
});
