import type { TargetReport } from './types.js';

/**
 * Arrays of numbers (the chart's per-minute counts) on one line each: `"c502": [0, 3, 1]` instead of
 * one line per minute. JSON strings never hold a raw newline, so a match cannot be inside one.
 */
const NUMBER_ARRAY = /\[\n\s+(-?\d+(?:\.\d+)?(?:,\n\s+-?\d+(?:\.\d+)?)*)\n\s*\]/g;

/** Exactly one JSON document; the shape is a contract for scripts (see README). */
export function renderJson(report: TargetReport): string {
  const text = JSON.stringify(report, null, 2).replace(
    NUMBER_ARRAY,
    (_, items: string) => `[${items.replace(/,\n\s+/g, ', ')}]`,
  );
  return `${text}\n`;
}
