import { writeFile } from 'node:fs/promises';
import { chartPng } from '../report/chart-png.js';
import { terminalText } from '../report/terminal-text.js';
import type { TargetReport } from '../report/types.js';

/**
 * `--chart FILE`: the same PNG the Slack bot posts in a report's thread (the host with the most
 * 502/504s in the window), for a terminal. Says what it did, in one line for stderr.
 */
export async function writeChart(report: TargetReport, file: string): Promise<string> {
  const worst = report.hosts
    .flatMap((h) => (h.errorSeries ? [{ host: h.host, chart: h.errorSeries }] : []))
    .sort((a, b) => b.chart.total502 + b.chart.total504 - (a.chart.total502 + a.chart.total504))[0];
  if (!worst) return `no chart written: the access log held no 502/504 in the window (or could not be read)`;
  await writeFile(file, chartPng(worst.host, worst.chart));
  const errors = worst.chart.total502 + worst.chart.total504;
  return terminalText(`chart of ${worst.host} (${errors} 502/504) written to ${file}`);
}
