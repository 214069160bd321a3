import { describe, expect, it } from 'vitest';
import {
  computeAccessStats,
  parseAccessLine,
  parseAccessLog,
  splitUpstreamList,
  timeLocalToEpochMs,
} from '../../../src/parse/parse-access-log.js';
import type { AccessRecord } from '../../../src/parse/types.js';

// Catalog 5.1: the combined line paired with the 111 error (getsentry/self-hosted#477).
const COMBINED =
  '172.21.0.1 - - [07/May/2020:03:15:12 +0000] "GET / HTTP/1.1" 502 157 "-" "Mozilla/5.0 (X11; Fedora; Linux x86_64; rv:60.0) Gecko/20100101 Firefox/60.0"';
// Catalog 5.1: ingress-nginx, 3 tries, all connect timeouts of 5 s (kubernetes/ingress-nginx#9443).
const INGRESS =
  '108.162.227.25 - - [08/Mar/2023:16:02:45 +0000] "GET / HTTP/1.1" 504 562 "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36" 1100 14.998 [pc-dev-example-web-service-80] [] 192.168.215.1:80, 192.168.215.1:80, 192.168.215.1:80 0, 0, 0 5.000, 5.000, 5.000 504, 504, 504 a7c98d98ac870f64981a997cd2f373a1';
// `main` (official Docker image): combined + "$http_x_forwarded_for".
const MAIN =
  '10.0.0.7 - - [21/Nov/2026:10:52:04 +0100] "POST /api/orders HTTP/1.1" 504 167 "https://shop.example.com/cart" "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15" "203.0.113.9"';
// Catalog 5.1 `upstream_time`: first try refused, retry on the backup refused too.
const UPSTREAM_TIME =
  '10.0.0.9 - - [21/Nov/2026:10:52:05 +0000] "POST /api/pay HTTP/1.1" 502 157 "-" "curl/8.5.0" rt=0.004 ua="127.0.0.1:8000, 10.0.0.12:8000" us="502, 502" uct="-, -" uht="-, -" urt="0.000, 0.001" ul="0, 0" cs=- host="example.com"';
// Catalog 5.1 JSON variant (escape=json).
const JSON_LINE =
  '{"time":"2026-11-21T10:52:06+00:00","status":504,"request":"GET /report?y=2026 HTTP/1.1","rt":60.002,"ua":"unix:/run/gunicorn/app.sock","us":"504","uct":"0.000","uht":"-","urt":"60.001","host":"example.com"}';

describe('parseAccessLine: formats of catalog 5.1', () => {
  it('combined: no upstream fields', () => {
    const r = parseAccessLine(COMBINED);
    expect(r).toMatchObject({
      remoteAddr: '172.21.0.1',
      timeLocal: '07/May/2020:03:15:12 +0000',
      timeMs: Date.UTC(2020, 4, 7, 3, 15, 12),
      method: 'GET',
      path: '/',
      status: 502,
      bodyBytes: 157,
      upstreamAddr: [],
      upstreamStatus: [],
    });
    expect(r?.requestTimeS).toBeUndefined();
  });

  it('main: the zone of $time_local is applied', () => {
    const r = parseAccessLine(MAIN, 'main');
    expect(r).toMatchObject({ status: 504, method: 'POST', path: '/api/orders', bodyBytes: 167 });
    expect(r?.timeMs).toBe(Date.UTC(2026, 10, 21, 9, 52, 4));
  });

  it('upstream_time key=value format: lists per try', () => {
    const r = parseAccessLine(UPSTREAM_TIME);
    expect(r).toMatchObject({
      status: 502,
      method: 'POST',
      requestTimeS: 0.004,
      upstreamAddr: ['127.0.0.1:8000', '10.0.0.12:8000'],
      upstreamStatus: ['502', '502'],
      upstreamConnectTime: ['-', '-'],
      upstreamHeaderTime: ['-', '-'],
      upstreamResponseTime: ['0.000', '0.001'],
    });
  });

  it('JSON variant', () => {
    const r = parseAccessLine(JSON_LINE);
    expect(r).toMatchObject({
      status: 504,
      timeMs: Date.UTC(2026, 10, 21, 10, 52, 6),
      method: 'GET',
      path: '/report?y=2026',
      requestTimeS: 60.002,
      upstreamAddr: ['unix:/run/gunicorn/app.sock'],
      upstreamHeaderTime: ['-'],
      upstreamResponseTime: ['60.001'],
    });
  });

  it('ingress-nginx: unquoted comma lists, parsed by the compiled format and by auto-detection', () => {
    for (const r of [parseAccessLine(INGRESS), parseAccessLine(INGRESS, 'ingress')]) {
      expect(r).toMatchObject({
        status: 504,
        requestTimeS: 14.998,
        upstreamAddr: ['192.168.215.1:80', '192.168.215.1:80', '192.168.215.1:80'],
        upstreamResponseTime: ['5.000', '5.000', '5.000'],
        upstreamStatus: ['504', '504', '504'],
        upstreamHeaderTime: [],
      });
    }
  });

  it('a custom log_format from nginx -T is compiled (variables -> regex groups)', () => {
    const format =
      '$remote_addr [$time_local] "$request" $status $request_time upstream=$upstream_addr ustatus=$upstream_status uht=$upstream_header_time';
    const line =
      '10.0.0.3 [21/Nov/2026:10:52:07 +0000] "PATCH /api/items/7 HTTP/2.0" 502 0.120 upstream=10.0.0.5:8080 ustatus=502 uht=0.118';
    expect(parseAccessLine(line, format)).toMatchObject({
      method: 'PATCH',
      status: 502,
      requestTimeS: 0.12,
      upstreamAddr: ['10.0.0.5:8080'],
      upstreamStatus: ['502'],
      upstreamHeaderTime: ['0.118'],
    });
  });

  it('falls back to auto-detection when the given format does not fit', () => {
    expect(parseAccessLine(COMBINED, '$status|$request_time')?.status).toBe(502);
  });

  it('internal redirects (" : ") and retries (", ") split alike', () => {
    expect(splitUpstreamList('10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80')).toEqual([
      '10.0.0.1:80',
      '10.0.0.2:80',
      '10.0.0.3:80',
    ]);
    expect(splitUpstreamList('-')).toEqual(['-']);
    expect(splitUpstreamList('')).toEqual([]);
    const r = parseAccessLine(
      '1.2.3.4 - - [21/Nov/2026:10:52:08 +0000] "GET /x HTTP/1.1" 200 12 "-" "ua" rt=0.3 ua="10.0.0.1:80, 10.0.0.2:80 : backend" us="502, 404 : 200" uct="0.001, 0.001 : -" uht="-, 0.002 : 0.1" urt="0.001, 0.002 : 0.1"',
    );
    expect(r?.upstreamAddr).toEqual(['10.0.0.1:80', '10.0.0.2:80', 'backend']);
    expect(r?.upstreamStatus).toEqual(['502', '404', '200']);
  });

  it('rejects lines that are not access-log lines', () => {
    expect(parseAccessLine('')).toBeUndefined();
    expect(parseAccessLine('2020/05/07 03:15:12 [error] 6#6: *1 connect() failed')).toBeUndefined();
    expect(parseAccessLine('{"msg":"no status"}')).toBeUndefined();
  });

  it('parses $time_local with its zone', () => {
    expect(timeLocalToEpochMs('08/Mar/2023:16:02:45 -0500')).toBe(Date.UTC(2023, 2, 8, 21, 2, 45));
    expect(timeLocalToEpochMs('08/Foo/2023:16:02:45 +0000')).toBeUndefined();
  });
});

describe('computeAccessStats (catalog 5.3)', () => {
  const at = (sec: number): string => `21/Nov/2026:10:52:${String(sec).padStart(2, '0')} +0000`;
  const kv = (
    sec: number,
    req: string,
    status: number,
    ua: string,
    us: string,
    uht: string,
    urt: string,
  ): string =>
    `10.0.0.1 - - [${at(sec)}] "${req}" ${status} 157 "-" "curl/8" rt=${urt.split(', ').at(-1)} ua="${ua}" us="${us}" uct="-" uht="${uht}" urt="${urt}"`;
  const lines = [
    kv(0, 'GET /old HTTP/1.1', 502, '127.0.0.1:8000', '502', '-', '0.000'), // before the window
    kv(10, 'POST /api/pay HTTP/1.1', 502, '127.0.0.1:8000', '502', '-', '0.000'),
    kv(
      11,
      'GET /api/list HTTP/1.1',
      200,
      '127.0.0.1:8000, 10.0.0.12:8000',
      '502, 200',
      '-, 0.010',
      '0.000, 0.011',
    ),
    kv(12, 'GET /report HTTP/1.1', 504, '10.0.0.12:8000', '504', '-', '30.001'),
    kv(13, 'PUT /api/item HTTP/1.1', 502, '10.0.0.12:8000', '502', '0.020', '0.021'),
    kv(14, 'GET /favicon.ico HTTP/1.1', 502, 'backend', '502', '-', '0.000'),
    kv(15, 'GET / HTTP/1.1', 200, '127.0.0.1:8000', '200', '0.002', '0.002'),
    kv(16, 'GET /dns HTTP/1.1', 502, '-', '-', '-', '-'),
  ];
  const records: (AccessRecord | undefined)[] = [...lines.map((l) => parseAccessLine(l)), undefined];
  const stats = computeAccessStats(records, { sinceMs: Date.UTC(2026, 10, 21, 10, 52, 5) });

  it('counts lines in the window and unparsed ones', () => {
    expect(stats.total).toBe(8);
    expect(stats.unparsed).toBe(1);
    expect(stats.byStatus).toEqual({ '200': 2, '502': 4, '504': 1 });
    expect(stats.hasUpstreamFields).toBe(true);
  });

  it('final 502/504 by the last try, try failures hidden by a successful retry', () => {
    const by = Object.fromEntries(stats.perUpstream.map((u) => [u.upstream, u]));
    expect(by['127.0.0.1:8000']).toEqual({
      upstream: '127.0.0.1:8000',
      requests: 2,
      final502: 1,
      final504: 0,
      relayed: 0,
      tries: 3,
      tryFailures: 2,
    });
    expect(by['10.0.0.12:8000']).toMatchObject({
      requests: 3,
      final502: 1,
      final504: 1,
      tries: 3,
      tryFailures: 2,
    });
    expect(by.backend).toMatchObject({ requests: 1, final502: 1 });
    expect(by['-']).toMatchObject({ requests: 1, final502: 1, tries: 0 });
  });

  it('tells nginx-generated 502s from backend-generated ones (C26)', () => {
    expect(stats.nginxGenerated502).toBe(3);
    expect(stats.upstreamGenerated502).toBe(1);
  });

  it('non-idempotent share, failure response times and samples', () => {
    expect(stats.nonIdempotentFailures).toBe(2);
    expect(stats.failureResponseTimesS).toEqual([0, 30.001, 0.021, 0]);
    expect(stats.samples).toHaveLength(5);
    expect(stats.samples.at(-1)).toContain('GET /dns');
  });

  it('combined logs: counts by status, no per-upstream attribution', () => {
    const s = computeAccessStats([parseAccessLine(COMBINED)]);
    expect(s).toMatchObject({ total: 1, byStatus: { '502': 1 }, perUpstream: [], hasUpstreamFields: false });
    expect(s.nginxGenerated502 + s.upstreamGenerated502).toBe(0);
  });

  it('ingress (no $upstream_header_time): 504 per upstream with the 3 tries', () => {
    const s = computeAccessStats([parseAccessLine(INGRESS)]);
    expect(s.perUpstream).toEqual([
      {
        upstream: '192.168.215.1:80',
        requests: 1,
        final502: 0,
        final504: 1,
        relayed: 1,
        tries: 3,
        tryFailures: 3,
      },
    ]);
    // No header time to tell nginx's 504 from the peer's: left to the error log.
    expect(s.unattributed).toEqual({ '504': 1 });
    expect(s.upstreamGenerated).toEqual({});
    expect(s.failureResponseTimesS).toEqual([5]);
  });

  it('parseAccessLog reads 10 MB of mixed formats', () => {
    const text = `${[COMBINED, UPSTREAM_TIME, INGRESS, JSON_LINE, MAIN].join('\n')}\n`.repeat(26_000);
    expect(text.length).toBeGreaterThan(10 * 1024 * 1024);
    const { records: recs, unparsed } = parseAccessLog(`${text}garbage line\n`);
    const s = computeAccessStats(recs, { unparsed });
    expect(recs).toHaveLength(130_000);
    expect(s.unparsed).toBe(1);
  });
});
