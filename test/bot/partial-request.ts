/**
 * A hostile HTTP client: sends the request line, the headers and the first bytes of a body that it
 * declares much longer, then holds the connection. Returns what the server answered and whether it
 * closed the connection within `waitMs` (status 0: no answer yet).
 */
import { connect } from 'node:net';

export async function partialRequest(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  o: { waitMs?: number; contentType?: string; declared?: number; firstBytes?: string } = {},
): Promise<{ status: number; closed: boolean; ms: number }> {
  const { port, hostname } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  let received = '';
  let closed = false;
  socket.on('data', (d) => {
    received += d.toString('utf8');
  });
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => {
    socket.on('end', resolve);
    socket.on('close', resolve);
  });
  const head = [
    `POST ${path} HTTP/1.1`,
    `Host: ${hostname}`,
    `Content-Type: ${o.contentType ?? 'application/json'}`,
    `Content-Length: ${o.declared ?? 60_000}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  const started = performance.now();
  socket.write(`${head}${o.firstBytes ?? '{"version":"4","groupKey":"held","alerts":['}`);
  await Promise.race([
    ended.then(() => {
      closed = true;
    }),
    new Promise((r) => setTimeout(r, o.waitMs ?? 3000)),
  ]);
  const ms = performance.now() - started;
  socket.destroy();
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0), closed, ms };
}
