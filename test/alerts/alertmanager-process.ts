/**
 * The real Alertmanager (Debian's `prometheus-alertmanager`) for tests: loopback, a random port, its
 * own storage in a temp dir, clustering off, a webhook receiver pointing at the bot with the bearer
 * token (`http_config.authorization`), short group_wait/group_interval.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ALERTMANAGER_BIN = 'prometheus-alertmanager';

export function alertmanagerMissing(): string | undefined {
  try {
    execFileSync(ALERTMANAGER_BIN, ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${ALERTMANAGER_BIN} is not installed (apt-get install prometheus-alertmanager)`;
  }
}

export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface AlertmanagerProc {
  url: string;
  /** POST /api/v2/alerts. */
  postAlerts(
    alerts: Array<{ labels: Record<string, string>; startsAt?: string; endsAt?: string }>,
  ): Promise<void>;
  /** A counter from its /metrics (summed over label sets matching `filter`). */
  metric(name: string, filter?: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startAlertmanager(opts: {
  webhookUrl: string;
  token?: string;
}): Promise<AlertmanagerProc> {
  const dir = await mkdtemp(path.join(tmpdir(), 'd502-am-'));
  const port = await freePort();
  const auth = opts.token
    ? `\n    http_config:\n      authorization: { type: Bearer, credentials: "${opts.token}" }`
    : '';
  await writeFile(
    path.join(dir, 'alertmanager.yml'),
    `route:
  receiver: bot
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
- name: bot
  webhook_configs:
  - url: ${opts.webhookUrl}
    send_resolved: true${auth}
`,
  );
  const child: ChildProcess = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`alertmanager did not start: ${stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!res.ok) throw new Error(`alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    async metric(name, filter = '') {
      const text = await (await fetch(`${url}/metrics`)).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith(name) && l.includes(filter))
        .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
    },
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
