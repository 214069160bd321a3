/** One line of the report's check list: what was looked at, and how it went. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'error' | 'skipped';

export interface CheckResult {
  id: string;
  status: CheckStatus;
  summary: string;
  durationMs: number;
}
