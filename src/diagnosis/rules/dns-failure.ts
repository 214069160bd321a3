import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action } from './actions.js';
import { summarize, withSignature } from './log-signals.js';
import { targetLabel } from './peers.js';

/** `decidim could not be resolved (3: Host not found)` / `no resolver defined to resolve api` / `host not found in upstream "app:8000"`. */
function nameIn(message: string): string | undefined {
  return (
    /^(\S+) could not be resolved/.exec(message)?.[1] ??
    /no resolver defined to resolve (\S+)/.exec(message)?.[1] ??
    /host not found in upstream "([^"]+)"/.exec(message)?.[1] ??
    // Third-party modules and nginx's resolver internals (classify-signature.ts: dns_module, dns_resolver_io).
    /'([^']+)' (?:could not be resolved|resolve timeout)|resolver failed ,?"([^"]+)"|name:"([^"]+)"/
      .exec(message)
      ?.slice(1)
      .find((x) => x !== undefined)
  );
}

/**
 * Catalog C18: at run time (variable *_pass or `resolve`) through nginx's own `resolver`
 * (`could not be resolved`, `no resolver defined`), or at config load (`[emerg] host not found in
 * upstream`, which makes `nginx -t`/reload fail). Targets the probe could not resolve confirm it. A
 * resolver that gave the probe no answer at all (within its bounded lookup) is evidence of its own:
 * the fault is the resolver, not the name, and it is said so, beside what nginx logged (`(110:
 * Operation timed out)` from its own resolver).
 */
export function dnsFailureRule(ev: Evidence): Finding[] {
  const runtime = withSignature(ev, 'dns_runtime', 'dns_no_resolver', 'dns_module', 'dns_resolver_io');
  const load = withSignature(ev, 'dns_config_load');
  const testLines = ev.nginx.configTestOutput.filter((l) => /host not found in upstream/.test(l));
  const unresolved = ev.targets.filter((t) => t.state === 'unresolved');
  const silent = unresolved.filter((t) => t.resolverSilent !== undefined);
  const deadServers = [...new Set(silent.flatMap((t) => t.resolverSilent ?? []))];
  if (runtime.length + load.length + testLines.length === 0 && unresolved.length === 0) return [];
  const noResolver = runtime.some((e) => e.signature === 'dns_no_resolver');
  const names = [
    ...new Set(
      [...runtime, ...load]
        .map((e) => nameIn(e.message))
        .concat(testLines.map(nameIn))
        .filter((n): n is string => !!n),
    ),
  ];
  const probeNames = unresolved.map((t) => targetLabel(t.target));
  const subject = names[0] ?? probeNames[0] ?? 'the upstream name';
  const resolvers = [...new Set((ev.nginx.config?.passes ?? []).flatMap((s) => s.resolvers))];
  // A logged resolution failure confirmed by the probe is certain; log-only is one-candidate; probe-only is weaker.
  const logged = runtime.length + load.length + testLines.length > 0;
  const confidence = logged && unresolved.length > 0 ? 0.95 : logged ? 0.88 : 0.7;
  const when = runtime.length > 0 ? 'at run time' : 'at config load (nginx cannot start or reload)';
  // `(110: Operation timed out)`: nginx's own resolver sent the query and got nothing back.
  const timedOut = runtime.some((e) => e.errno === 110 || /could not be resolved \(110: /.test(e.raw));
  const deadResolver =
    silent.length > 0
      ? `the resolver ${deadServers.join(', ') || '(none in /etc/resolv.conf)'} does not answer`
      : timedOut
        ? `nginx's resolver${resolvers.length > 0 ? ` ${resolvers.join(' ')}` : ''} does not answer`
        : undefined;
  return [
    {
      cause: 'dns-failure',
      confidence,
      title: noResolver
        ? `nginx has no resolver for ${subject}: variable *_pass without a resolver directive`
        : deadResolver
          ? `${subject} does not resolve ${logged ? when : '(probe)'}: ${deadResolver}`
          : `${subject} does not resolve ${logged ? when : '(probe)'}`,
      evidence: [
        ...summarize(ev, [...runtime, ...load]),
        ...testLines.slice(0, 3),
        ...unresolved.flatMap((t) => [t.detail, ...t.lines]).slice(0, 6),
        ...(resolvers.length > 0 ? [`resolver in effect: ${resolvers.join(' ')}`] : []),
      ],
      remediation: [
        ...(deadResolver
          ? [
              `The resolver gives no answer at all, for any name: check it and the path to it (udp and tcp 53): dig +time=2 +tries=1 @${deadServers[0] ?? resolvers[0] ?? '<resolver>'} ${subject}; then fix it, or point /etc/resolv.conf and nginx's resolver at one that answers.`,
            ]
          : []),
        noResolver
          ? `Add a resolver where the variable ${'*_pass'} is: resolver <address from /etc/resolv.conf> valid=30s ipv6=off; resolver_timeout 5s; (Docker: 127.0.0.11), then nginx -t && nginx -s reload`
          : `Check the name: getent ahosts ${subject}; dig +short ${resolvers[0] ? `@${resolvers[0]} ` : ''}${subject}; cat /etc/resolv.conf`,
        "Use fully qualified names with nginx's resolver (it ignores resolv.conf search domains).",
        `For start-up robustness with literal names: a variable in *_pass with a resolver, or server ${subject} resolve; in a zone'd upstream (nginx >= 1.27.3).`,
        'Fix the DNS record or the resolver itself if the name should exist.',
      ],
      // Catalog C18: adding a resolver line = GUARDED; DNS record fixes = HUMAN.
      actions: [
        action('add-resolver', 'guarded', 'Add a resolver (from /etc/resolv.conf) in the nginx config'),
        action('fix-dns-record', 'human', `Fix DNS for ${subject}`),
      ],
    },
  ];
}
