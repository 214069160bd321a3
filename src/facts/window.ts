import type { HostClock } from '../parse/time.js';
import type { ProbeWindow } from '../probes/record.js';

/**
 * The diagnosis window: `sinceS` back from the host's own clock (nginx and most app servers log the
 * host's local time, so the window is measured on that clock, not this machine's). The host's clock is
 * read once per batch (probes/defs/common.ts CLOCK_START) and printed by the probes that need it; the
 * facts take the first one read (host-facts.ts).
 */
export function diagnosisWindow(clock: HostClock, sinceS: number): ProbeWindow {
  return { sinceS, clock, startMs: (clock.nowS - sinceS) * 1000, endMs: clock.nowS * 1000 };
}

/** This machine's clock, standing in while (or when) no probe has read the host's. */
export function localClock(nowMs: number): HostClock {
  return { nowS: nowMs / 1000, utcOffsetMinutes: 0 };
}
