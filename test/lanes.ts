/**
 * Which test files are pure: they need no lab (network namespaces), no sshd, no Redis and no
 * Alertmanager, so `npm run test:unit` runs them in parallel in well under a minute. A file is
 * pure unless it reaches for one of those things (the markers below); a new test file joins the
 * right lane by itself. test/unit/lanes.test.ts keeps the markers honest.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What a test that needs a running service imports (the module specifier) or calls. */
export const SERVICE_MARKERS: readonly RegExp[] = [
  /'[^']*\/bot-harness\.js'/, // real Redis (and the Slack stand-in)
  /'ioredis'/,
  /'[^']*\/(ssh\/)?sshd-harness\.js'/,
  /'[^']*\/alertmanager-process\.js'/,
  /'[^']*\/lab\/(fleet|with-lab|preflight|demo|state)\.js'/, // a lab (network namespaces)
  /\b(startLab|withLab|labUnavailableReason)\(/,
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

export function needsService(source: string): boolean {
  return SERVICE_MARKERS.some((marker) => marker.test(source));
}

/** The pure test files under `root`/test, as paths relative to `root`, sorted. */
export function pureTestFiles(root: string): string[] {
  return testFiles(join(root, 'test'))
    .filter((file) => !needsService(readFileSync(file, 'utf8')))
    .map((file) => relative(root, file))
    .sort();
}
