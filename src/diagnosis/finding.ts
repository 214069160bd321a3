import type { Cause } from '../parse/causes.js';

/** Catalog section 8: SAFE (idempotent, after a pre-check), GUARDED (config change: test, backup, approval), HUMAN. */
export type ActionKind = 'safe' | 'guarded' | 'human';

export interface Action {
  /** Stable id a button can carry, e.g. `restart-service:app`, `reload-nginx`. */
  id: string;
  kind: ActionKind;
  label: string;
}

export interface Finding {
  cause: Cause;
  /** 0..1; findings are sorted by it, highest first. */
  confidence: number;
  /** One line, read in the headline. */
  title: string;
  /** Verbatim supporting lines (log lines, probe output), redacted before output. */
  evidence: string[];
  /** Concrete steps a senior SRE would give, in order. */
  remediation: string[];
  actions: Action[];
  /**
   * Not a cause: what was seen while an essential check could not run (502s counted in the access log
   * while the error log could not be read). It never makes a host `cause-found` (pipeline/verdict.ts).
   */
  context?: true;
}
