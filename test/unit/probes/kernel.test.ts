import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBatch } from '../../../src/probes/batch.js';
import { kernelProbe } from '../../../src/probes/defs/kernel.js';
import { linkTools, shRunner } from './local-runner.js';

/**
 * The kernel-log script with the machine's real sh and grep, and stand-ins for dmesg and journalctl
 * on PATH: each host kind answers differently (util-linux with or without --since, dmesg_restrict,
 * no journald), and this machine has only one of them.
 */
const OOM = '2026-11-21T10:40:00,000000+00:00 Out of memory: Killed process 4321 (node) total-vm:1kB';
const NOISE = '2026-11-21T10:40:01,000000+00:00 d502br9: port 3(veth9) entered forwarding state';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function hostPath(tools: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'd502-kernel-'));
  dirs.push(dir);
  linkTools(dir, ['sh', 'grep', 'cat']);
  for (const [name, body] of Object.entries(tools)) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

async function kernelLog(path: string): Promise<string> {
  let out = '';
  await runBatch(
    shRunner(path),
    { id: 'k', probes: [kernelProbe], timeoutMs: 5000 },
    {
      host: { name: 'h', address: '127.0.0.1', nginx: { errorLog: '/e', accessLog: '/a' }, services: [] },
      sinceS: 900,
    },
    { onPart: (o) => (out = o.ok ? o.stdout : `failed: ${o.reason}`) },
  );
  return out.trim();
}

describe('kernel-log probe', () => {
  it('keeps only the lines the parser reads, from dmesg --since', async () => {
    const path = hostPath({
      dmesg: `case "$*" in *--since*-900s*) printf '%s\\n' '${NOISE}' '${OOM}' '${NOISE}' ;; *) exit 1 ;; esac`,
      journalctl: 'echo never; exit 1',
    });
    expect(await kernelLog(path)).toBe(`__SOURCE dmesg\n${OOM}`);
  });

  it('reads all of dmesg where it lacks --since, and says nothing when nothing matches', async () => {
    const old = hostPath({
      dmesg: `case "$*" in *--since*) echo "dmesg: unrecognized option '--since'" >&2; exit 1 ;; esac; printf '%s\\n' '${OOM}'`,
    });
    expect(await kernelLog(old)).toBe(`__SOURCE dmesg\n${OOM}`);
    const quiet = hostPath({ dmesg: `printf '%s\\n' '${NOISE}'` });
    expect(await kernelLog(quiet)).toBe('__SOURCE dmesg');
  });

  it('falls back to the journal where dmesg is restricted, and says when neither can be read', async () => {
    const restricted = 'echo "dmesg: read kernel buffer failed: Operation not permitted" >&2; exit 1';
    const journal = hostPath({
      dmesg: restricted,
      journalctl: `case "$*" in "-k "*) printf '%s\\n' '${NOISE}' '${OOM}' ;; *) exit 1 ;; esac`,
    });
    expect(await kernelLog(journal)).toBe(`__SOURCE journal\n${OOM}`);
    expect(await kernelLog(hostPath({ dmesg: restricted, journalctl: 'exit 1' }))).toBe('__SOURCE none');
    expect(await kernelLog(hostPath({}))).toBe('__SOURCE none');
  });

  it('a kernel line that ends in the failure marker does not fake a failure', async () => {
    const fake = `${OOM} __FAILED`;
    const path = hostPath({ dmesg: `printf '%s\\n' '${fake}'`, journalctl: 'echo never; exit 1' });
    expect(await kernelLog(path)).toBe(`__SOURCE dmesg\n${fake}`);
  });
});
