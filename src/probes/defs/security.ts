import { type CheckLine, defineProbe, plural } from '../record.js';
import { markedSection, tagged } from './common.js';
import { kernelProbe } from './kernel.js';

export const securityProbe = defineProbe({
  id: 'security',
  title: 'SELinux, AppArmor, firewall',
  script:
    'if command -v getenforce >/dev/null 2>&1; then echo "__SELINUX $(getenforce 2>&1)"; fi; ' +
    'if [ -r /sys/module/apparmor/parameters/enabled ]; then read -r a < /sys/module/apparmor/parameters/enabled; echo "__APPARMOR $a"; fi; ' +
    'if [ -e /var/log/audit/audit.log ]; then $D502_SUDO cat /var/log/audit/audit.log 2>/dev/null | grep -E "denied.*comm=\\"nginx\\"" | tail -n 20 | sed "s/^/__AVC /"; fi; ' +
    'if command -v nft >/dev/null 2>&1; then echo __NFT; $D502_SUDO nft list ruleset 2>&1 | head -c 200000; ' +
    'elif command -v iptables >/dev/null 2>&1; then echo __IPT; $D502_SUDO iptables -S 2>&1 | head -c 200000; else echo __NOFW; fi; echo __END',
  privileged: true,
  maxBytes: 400_000,
  parse: (stdout) => parseSecurity(stdout),
  check: (s): CheckLine => {
    const parts = [
      `SELinux ${s.selinux ?? 'absent'}`,
      `AppArmor ${s.apparmor ?? 'absent'}`,
      `${s.firewallTool}: ${s.firewallError ? 'could not list the ruleset' : plural(s.blockingRules.length, 'drop/reject rule')}`,
    ];
    return {
      status: s.avc.length > 0 || s.blockingRules.length > 0 ? 'warn' : 'ok',
      summary: parts.join(', '),
    };
  },
  evidence: (s, view): { security?: SecurityEvidence } => {
    if (!s) return {};
    // AppArmor logs its denials to the kernel log.
    const apparmorDenials = (view.result(kernelProbe)?.text ?? '')
      .split('\n')
      .filter((l) => /apparmor="DENIED"/.test(l) && /nginx/.test(l));
    return {
      security: {
        selinux: s.selinux,
        apparmor: s.apparmor,
        denials: [...s.avc, ...apparmorDenials],
        blockingRules: s.blockingRules,
        firewallTool: s.firewallTool,
        ...(s.firewallError ? { firewallError: s.firewallError } : {}),
      },
    };
  },
});

export interface SecurityEvidence {
  selinux?: 'enforcing' | 'permissive' | 'disabled';
  apparmor?: 'enabled' | 'disabled';
  /** AVC / apparmor DENIED lines naming nginx. */
  denials: string[];
  /** `nft list ruleset` / `iptables -S` rules that drop or reject, verbatim. */
  blockingRules: string[];
  firewallTool?: 'nftables' | 'iptables' | 'none';
  /** The tool's own error when it could not list the ruleset (not root, no sudo): no rules were seen. */
  firewallError?: string;
}

export interface SecurityFacts {
  selinux?: 'enforcing' | 'permissive' | 'disabled';
  apparmor?: 'enabled' | 'disabled';
  avc: string[];
  firewallTool: 'nftables' | 'iptables' | 'none';
  /** Rules that drop or reject traffic, verbatim (trimmed). */
  blockingRules: string[];
  /** `nft`/`iptables` said it could not list the ruleset (e.g. `Operation not permitted`). */
  firewallError?: string;
}

/**
 * What `nft list ruleset` (`Error: ... Operation not permitted`, `netlink: Error: cache initialization
 * failed`) and `iptables -S` (`Permission denied (you must be root)`) print when they cannot list.
 */
const FIREWALL_ERROR =
  /\b(?:error|permission denied|not permitted|must be root|can't initialize|could not fetch)\b/i;

export function parseSecurity(stdout: string): SecurityFacts {
  const se = tagged(stdout, 'SELINUX')[0]?.trim().toLowerCase();
  const aa = tagged(stdout, 'APPARMOR')[0]?.trim();
  const nft = markedSection(stdout, '__NFT');
  const ipt = markedSection(stdout, '__IPT');
  const rules = nft.length > 0 ? nft : ipt;
  const firewallError = rules.map((l) => l.trim()).find((l) => FIREWALL_ERROR.test(l));
  return {
    ...(firewallError ? { firewallError } : {}),
    selinux: se === 'enforcing' || se === 'permissive' || se === 'disabled' ? se : undefined,
    apparmor: aa === 'Y' ? 'enabled' : aa === 'N' ? 'disabled' : undefined,
    avc: tagged(stdout, 'AVC'),
    firewallTool: stdout.includes('__NFT') ? 'nftables' : stdout.includes('__IPT') ? 'iptables' : 'none',
    blockingRules: rules
      .map((l) => l.trim())
      .filter(
        (l) =>
          /\b(drop|reject|DROP|REJECT)\b/.test(l) &&
          !/^(chain|table|type)\b/.test(l) &&
          !/policy accept/.test(l),
      ),
  };
}
