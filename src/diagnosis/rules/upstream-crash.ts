import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { action, restartAction, svcMatchesProcess, unitName } from './actions.js';
import { plural, summarize } from './log-signals.js';
import { DEATH_SIGNATURES, errorsOf, signalLines } from './service-errors.js';

/**
 * Catalog C10: the app process crashes mid-request (SIGSEGV, uncaught exception, fatal error). App
 * signal lines or kernel `segfault at` lines, paired with resets/refusals on its peer. A kill that
 * follows a WORKER TIMEOUT is C09 (app-timeout.ts), and signal 9 after an OOM is C11.
 */
export function upstreamCrashRule(ev: Evidence): Finding[] {
  const out: Finding[] = [];
  const segfaults = ev.kernel?.segfaults ?? [];
  for (const svc of ev.services) {
    const related = errorsOf(ev, svc, DEATH_SIGNATURES);
    if (related.length === 0) continue;
    const crashes = signalLines(svc, 'crash', 'worker-killed-signal');
    const kernel = segfaults.filter(
      (l) => svcMatchesProcess(svc, /(\S+?)\[\d+\]: segfault/.exec(l)?.[1] ?? '') || ev.services.length === 1,
    );
    if (crashes.length === 0 && kernel.length === 0) continue;
    const timeouts = signalLines(svc, 'worker-timeout');
    // Kills after a WORKER TIMEOUT are the watchdog, not a crash: leave the headline to C09.
    const confidence = timeouts.length > 0 && kernel.length === 0 ? 0.5 : crashes.length > 0 ? 0.9 : 0.82;
    const unit = unitName(svc);
    // puma 5 logs no line for a worker's death: its re-boot is the trace (parse/puma-workers.ts).
    const pumaReboots = svc.kind === 'puma' && crashes.some((l) => / booted in [\d.]+s, phase: /.test(l));
    out.push({
      cause: 'upstream-crash',
      confidence,
      title: `${svc.name} crashes mid-request (${plural(crashes.length + kernel.length, 'crash line')}): ${plural(related.length, 'upstream error')}`,
      evidence: [
        ...kernel.slice(-3),
        ...crashes.slice(-3),
        ...(pumaReboots
          ? [
              'puma logs no line when a worker dies: the master booting that worker again (same index and phase) is its trace',
            ]
          : []),
        ...summarize(ev, related),
      ],
      remediation: [
        ...(svc.running === false ? [`Restore service: systemctl restart ${unit}`] : []),
        `Correlate to the second: journalctl -u ${unit} --since "-2h" --no-pager | tail -200; coredumpctl list --since -2h; systemctl show ${unit} -p NRestarts -p ExecMainStatus`,
        svc.kind === 'php-fpm'
          ? 'For SIGSEGV in php-fpm: disable the offending extension (opcache JIT, xdebug, a PECL module) or upgrade PHP; pm.max_requests = 500 as a mitigation.'
          : pumaReboots
            ? 'Find what killed the puma worker: dmesg -T | grep -iE "puma|oom|segfault" (OOM killer, a native crash), a kill -9 by a deploy or a memory watchdog (puma_worker_killer), a [BUG] report in the app log.'
            : 'Fix the crashing code path (stack trace above); add a supervisor restart policy (Restart=on-failure).',
      ],
      // Catalog C10: restart if down = SAFE; root cause = HUMAN.
      actions: [
        ...(svc.running === false ? [restartAction(ev, svc, 'down')] : []),
        action('investigate-crash', 'human', `Find why ${svc.name} crashes`),
      ],
    });
  }
  return out;
}
