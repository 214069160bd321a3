import { addressChangedRule } from './address-changed.js';
import { appWorkerTimeoutRule } from './app-worker-timeout.js';
import { connectRefusedRule } from './connect-refused.js';
import { criticalLinesRule } from './critical-lines.js';
import { diskFullRule } from './disk-full.js';
import { dnsFailureRule } from './dns-failure.js';
import { ephemeralPortsRule } from './ephemeral-ports.js';
import { fdExhaustedRule } from './fd-exhausted.js';
import { headerTooBigRule } from './header-too-big.js';
import { hostOverloadRule } from './host-overload.js';
import { keepaliveRaceRule } from './keepalive-race.js';
import { liveFailureRule } from './live-failure.js';
import { macDeniedRule } from './mac-denied.js';
import { networkRule } from './network.js';
import { nginxConfigInvalidRule, nginxDownRule } from './nginx-process.js';
import { noLiveUpstreamsRule } from './no-live-upstreams.js';
import { oomKilledRule } from './oom-killed.js';
import { protocolMismatchRule } from './protocol-mismatch.js';
import { requestTooLargeRule } from './request-too-large.js';
import { socketMissingRule } from './socket-missing.js';
import { socketPermissionRule } from './socket-permission.js';
import type { Rule } from './types.js';
import { upstreamCrashRule } from './upstream-crash.js';
import { upstreamReturned502Rule } from './upstream-returned-502.js';
import { upstreamSlowRule } from './upstream-slow.js';
import { upstreamTlsRule } from './upstream-tls.js';
import { workerConnectionsRule } from './worker-connections.js';
import { workerPoolRule } from './worker-pool.js';

export type { Rule } from './types.js';

/**
 * Every rule, roughly in the order of the catalog's decision sketch (section 7). Order only breaks
 * confidence ties: diagnose() ranks by confidence, symptoms last. The SSH-layer causes live in
 * ../connection-findings.ts and `no-502-evidence` in ../diagnose.ts.
 */
export const RULES: readonly Rule[] = [
  nginxDownRule,
  nginxConfigInvalidRule,
  macDeniedRule,
  socketPermissionRule,
  socketMissingRule,
  connectRefusedRule,
  addressChangedRule,
  workerPoolRule,
  ephemeralPortsRule,
  fdExhaustedRule,
  workerConnectionsRule,
  dnsFailureRule,
  oomKilledRule,
  upstreamCrashRule,
  appWorkerTimeoutRule,
  requestTooLargeRule,
  keepaliveRaceRule,
  networkRule,
  upstreamSlowRule,
  headerTooBigRule,
  protocolMismatchRule,
  upstreamTlsRule,
  diskFullRule,
  upstreamReturned502Rule,
  hostOverloadRule,
  noLiveUpstreamsRule,
  liveFailureRule,
  criticalLinesRule,
];
