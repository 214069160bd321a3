import type { Evidence } from '../evidence.js';

/**
 * How many failed tries ended within ±tolerance of `value` seconds (catalog 5.3: "spikes at 30.0 =>
 * gunicorn timeout; at 60.0 => nginx default read timeout").
 */
export function clusteredAt(ev: Evidence, value: number, tolerance = 0.05): { n: number; of: number } {
  const times = ev.accessLog?.failureResponseTimesS ?? [];
  const n = times.filter((t) => Math.abs(t - value) <= Math.max(0.2, value * tolerance)).length;
  return { n, of: times.length };
}

/** True when at least 3 failures and most of them sit at `value`. */
export function mostlyAt(ev: Evidence, value: number): boolean {
  const { n, of } = clusteredAt(ev, value);
  return n >= 3 && n / of >= 0.6;
}

/** The dominant failure time when most failures share one (rounded to 0.1 s), for an unknown app timeout. */
export function dominantFailureTime(ev: Evidence): number | undefined {
  const times = ev.accessLog?.failureResponseTimesS ?? [];
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.round(t * 10) / 10, (counts.get(Math.round(t * 10) / 10) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1])[0];
  return top && top[1] >= 3 && top[1] / times.length >= 0.6 && top[0] >= 1 ? top[0] : undefined;
}

/** Parse `30`, `30s`, `30.0`, `2m`, `60000ms` into seconds. */
export function parseSeconds(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : n;
}
