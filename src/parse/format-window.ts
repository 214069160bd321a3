/** Units of `--since`, largest first. */
const UNITS: readonly [string, number][] = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
];

/**
 * A window length as a user writes one: `45s`, `15m`, `1h30m`, `2d`. Exact to the second, so a
 * window under a minute never reads as `0m` (the demo and the tests use windows of seconds).
 */
export function formatWindow(seconds: number): string {
  let left = Math.max(1, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = Math.floor(left / size);
    if (n === 0) continue;
    parts.push(`${n}${unit}`);
    left -= n * size;
  }
  return parts.join('');
}
