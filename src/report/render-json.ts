import type { TargetReport } from './types.js';

/** Exactly one JSON document; the shape is a contract for scripts (see README). */
export function renderJson(report: TargetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
