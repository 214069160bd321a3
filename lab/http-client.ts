/**
 * Real client requests from the root namespace to a lab host over the lab network, one fresh
 * connection each (no pooling), so every request is a separate access-log line and a reload is never
 * hidden behind a kept-alive connection to an old worker.
 */
import http from 'node:http';

export interface HttpResult {
  /** HTTP status, or 0 when no response came (connection refused, reset, client timeout). */
  status: number;
  body: string;
  error?: string;
}

export interface HttpRequest {
  address: string;
  port?: number;
  path: string;
  method?: string;
  body?: Buffer | string;
  timeoutMs?: number;
}

export function httpRequest(req: HttpRequest): Promise<HttpResult> {
  const { address, port = 80, path, method = 'GET', body, timeoutMs = 30_000 } = req;
  return new Promise((resolve) => {
    const headers: http.OutgoingHttpHeaders = { 'User-Agent': 'diagnose502-lab' };
    if (body !== undefined) {
      headers['Content-Length'] = Buffer.byteLength(body);
      headers['Content-Type'] = 'application/octet-stream';
    }
    const r = http.request({ host: address, port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', (err) => resolve({ status: res.statusCode ?? 0, body: '', error: err.message }));
    });
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`client timeout after ${timeoutMs} ms`)));
    r.on('error', (err) => resolve({ status: 0, body: '', error: err.message }));
    r.end(body);
  });
}
