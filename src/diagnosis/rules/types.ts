import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';

/** A rule is a pure function of the evidence; it returns zero or more findings (one per cause and target). */
export type Rule = (ev: Evidence) => Finding[];
