import type { Finding } from './finding.js';

/**
 * Findings for the SSH layer: nothing ran on the host, so there is no Evidence to reason about.
 * The reason is the SSH client's (refused, timeout, auth); the detail its verbatim error.
 */
export function hostUnreachableFinding(reason: string, detail?: string): Finding {
  return {
    cause: 'host-unreachable',
    // Certain that we could not look; says nothing about nginx itself.
    confidence: 0.9,
    title: `Could not reach the host over SSH: ${reason}`,
    evidence: detail ? [detail] : [],
    remediation: [
      'Check the address and port in the inventory, and that sshd runs: nc -vz <host> 22',
      'Check the network path (VPN, security group, firewall) from the diagnose502 worker to the host.',
      "For authentication failures: the diagnose502 key must be in the account's ~/.ssh/authorized_keys.",
      'Meanwhile, check the host from its console or your monitoring: a host that SSH cannot reach may also be why nginx is down.',
    ],
    actions: [{ id: 'check-ssh-access', kind: 'human', label: 'Restore SSH access for diagnose502' }],
  };
}

/** The host key is unknown or differs from the pinned one: nothing was run, on purpose. */
export function hostKeyMismatchFinding(detail: string): Finding {
  return {
    cause: 'host-key-mismatch',
    confidence: 0.95,
    title: 'The SSH host key does not match the pinned key: nothing was run on the host',
    evidence: [detail],
    remediation: [
      'Verify the new key out of band (cloud console, ssh-keyscan from a trusted network, compare fingerprints) before trusting it.',
      'If the host was legitimately rebuilt, update the pinned key in the inventory; otherwise treat it as a possible interception.',
    ],
    actions: [{ id: 'verify-host-key', kind: 'human', label: 'Verify and re-pin the host key' }],
  };
}
