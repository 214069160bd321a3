/**
 * What a restart shows as it goes: one line per step (lock, pre-check, run, verify) and its state.
 * Owned here, where the steps happen; the renderers (report/block-kit-restart.ts) only draw it.
 */
export type StepState = 'running' | 'ok' | 'failed' | 'skipped' | 'refused';

export interface RestartStep {
  name: string;
  state: StepState;
  detail: string;
}
