import type { createColors } from 'picocolors';
import type { HostReport } from './types.js';

/**
 * The terminal's "Ruled out" section (issue 20 item 1): each cause the checks excluded and the line
 * that shows it. `report` is already escaped for the terminal (render-terminal.ts).
 */
export function ruledOutTerminal(c: ReturnType<typeof createColors>, report: HostReport): string[] {
  const all = report.ruledOut ?? [];
  if (all.length === 0) return [];
  const width = Math.max(...all.map((r) => r.cause.length));
  return [
    '',
    `  ${c.bold('Ruled out')}`,
    ...all.map((r) => `    ${c.green('✓')} ${r.cause.padEnd(width)} ${c.dim(r.evidence)}`),
  ];
}
