/**
 * An open-loop load at a fixed pace: request i is sent at `started + i * seconds / total` whether or
 * not earlier ones have answered (a closed loop would slow down with the server and hide its stalls).
 * Records each answer's latency, by the second it was sent in, and every non-200 or error by name.
 */
import { Agent, request } from 'undici';

export interface PacedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface PacedLoadResult {
  latencies: number[];
  /** Latency by the second the request was sent in: shows warm-up and stalls. */
  bySecond: number[][];
  failures: Map<string, number>;
  elapsedS: number;
}

export async function pacedLoad(
  total: number,
  seconds: number,
  make: (i: number) => PacedRequest,
): Promise<PacedLoadResult> {
  const agent = new Agent({ connections: 64, pipelining: 1 });
  const latencies: number[] = [];
  const bySecond: number[][] = Array.from({ length: seconds }, () => []);
  const failures = new Map<string, number>();
  const fail = (why: string): void => {
    failures.set(why, (failures.get(why) ?? 0) + 1);
  };
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * seconds * 1000) / total - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { url, headers, body } = make(i);
    const t0 = performance.now();
    pending.push(
      request(url, { method: 'POST', dispatcher: agent, headers, body }).then(
        async (res) => {
          await res.body.text();
          const ms = performance.now() - t0;
          latencies.push(ms);
          bySecond[Math.min(seconds - 1, Math.floor((t0 - started) / 1000))]?.push(ms);
          if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}`);
        },
        (err: Error) => fail(err.message),
      ),
    );
  }
  await Promise.all(pending);
  const elapsedS = (performance.now() - started) / 1000;
  await agent.close();
  return { latencies, bySecond, failures, elapsedS };
}
