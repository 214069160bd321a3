import type { ErrorLogEntry, SignatureId } from '../../parse/types.js';
import type { AppSignal, Evidence, ServiceEvidence } from '../evidence.js';
import { peerOf, RESET_SIGNATURES, withSignature } from './log-signals.js';
import { owningService, parsePeer } from './peers.js';

/** Signatures that follow a dying worker or process: resets first, then refusals once the master is gone (C10/C11). */
export const DEATH_SIGNATURES: readonly SignatureId[] = [
  ...RESET_SIGNATURES,
  'connect_refused',
  'socket_missing',
  'no_live_upstreams',
];

/** Error entries whose peer belongs to this service (or every entry when the service is the only one). */
export function errorsOf(ev: Evidence, svc: ServiceEvidence, sigs: readonly SignatureId[]): ErrorLogEntry[] {
  const list = withSignature(ev, ...sigs);
  if (ev.services.length === 1) return list;
  return list.filter((e) => owningService(ev, parsePeer(peerOf(e) ?? '')) === svc);
}

export function signalLines(svc: ServiceEvidence, ...signals: AppSignal[]): string[] {
  const wanted = new Set(signals);
  return svc.logLines.filter((l) => wanted.has(l.signal)).map((l) => l.line);
}
