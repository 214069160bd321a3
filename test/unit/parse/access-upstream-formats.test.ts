import { describe, expect, it } from 'vitest';
import { computeAccessStats, parseAccessLine } from '../../../src/parse/parse-access-log.js';
import { parseNginxConfig } from '../../../src/parse/parse-nginx-config.js';

/**
 * `$upstream_status` / `$upstream_addr` / `$upstream_response_time` wherever a `log_format` of
 * `nginx -T` puts them (issue 9, C26): quoted, unquoted, JSON, retried lists. The formats are read
 * from a dump the way build-evidence reads them; the lines are what nginx 1.22 writes for them.
 */
function formatOf(dump: string, name: string): string {
  const cfg = parseNginxConfig(dump);
  const f = cfg.logFormats[name];
  if (f === undefined) throw new Error(`no log_format ${name}`);
  return f;
}

const dump = (formats: string) => `# configuration file /etc/nginx/nginx.conf:
events {}
http {
${formats}
    access_log /var/log/nginx/access.log main_ext;
}
`;

const MAIN_EXT = dump(`    log_format main_ext '$remote_addr - $remote_user [$time_local] "$request" '
                        '$status $body_bytes_sent "$http_referer" "$http_user_agent" '
                        'ua="$upstream_addr" us="$upstream_status" urt="$upstream_response_time"';`);
const KV = dump(
  `    log_format kv 'time=$time_iso8601 client=$remote_addr method=$request_method uri=$request_uri status=$status upstream_addr=$upstream_addr upstream_status=$upstream_status upstream_response_time=$upstream_response_time request_time=$request_time';`,
);
const JSON_ESCAPED = dump(
  `    log_format json_combined escape=json '{"ts":"$time_iso8601","client":"$remote_addr","req":"$request","status":$status,"backend":"$upstream_addr","backend_status":"$upstream_status","backend_time":"$upstream_response_time","rt":$request_time}';`,
);
const JSON_BARE = dump(
  `    log_format json_bare '{"time":"$time_iso8601","status":$status,"upstream":"$upstream_addr","upstream_status":$upstream_status,"urt":$upstream_response_time}';`,
);
const RETRIES = dump(
  `    log_format retries '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" upstream_status=$upstream_status upstream_addr=$upstream_addr upstream_response_time=$upstream_response_time rt=$request_time';`,
);

describe('$upstream_* in any log_format (C26)', () => {
  it('us="502" without $upstream_header_time: the peer status, left to the error log to attribute', () => {
    const line =
      '10.88.4.1 - - [25/Nov/2026:10:02:11 +0000] "GET / HTTP/1.1" 502 38 "-" "lab-client" ua="127.0.0.1:8081" us="502" urt="0.002"';
    const r = parseAccessLine(line, formatOf(MAIN_EXT, 'main_ext'));
    expect(r).toMatchObject({
      status: 502,
      upstreamAddr: ['127.0.0.1:8081'],
      upstreamStatus: ['502'],
      upstreamResponseTime: ['0.002'],
      upstreamHeaderTime: [],
    });
    const s = computeAccessStats([r]);
    expect(s.unattributed).toEqual({ '502': 1 });
    expect(s.upstreamGenerated).toEqual({});
    expect(s.perUpstream[0]).toMatchObject({ upstream: '127.0.0.1:8081', relayed: 1 });
  });

  it("unquoted key=value without the combined prefix; a relayed 503 is the peer's own", () => {
    const line =
      'time=2026-11-25T10:02:14+00:00 client=10.88.4.1 method=GET uri=/ status=503 upstream_addr=127.0.0.1:8081 upstream_status=503 upstream_response_time=0.003 request_time=0.003';
    const r = parseAccessLine(line, formatOf(KV, 'kv'));
    expect(r).toMatchObject({ status: 503, method: 'GET', path: '/', upstreamStatus: ['503'] });
    expect(r?.timeMs).toBe(Date.UTC(2026, 10, 25, 10, 2, 14));
    const s = computeAccessStats([r]);
    expect(s.upstreamGenerated).toEqual({ '503': 1 });
    expect(s.samples).toEqual([line]);
  });

  it('escape=json with keys of its own, by the format (not by guessed key names)', () => {
    const line =
      '{"ts":"2026-11-25T10:02:17+00:00","client":"10.88.4.1","req":"GET / HTTP/1.1","status":502,"backend":"127.0.0.1:8081","backend_status":"502","backend_time":"0.002","rt":0.002}';
    const r = parseAccessLine(line, formatOf(JSON_ESCAPED, 'json_combined'));
    expect(r).toMatchObject({
      status: 502,
      upstreamAddr: ['127.0.0.1:8081'],
      upstreamStatus: ['502'],
      upstreamResponseTime: ['0.002'],
    });
  });

  it('a JSON format with unquoted $upstream_status: retried lines are not JSON and still read', () => {
    const f = formatOf(JSON_BARE, 'json_bare');
    const one =
      '{"time":"2026-11-25T10:02:20+00:00","status":502,"upstream":"127.0.0.1:8081","upstream_status":502,"urt":0.002}';
    const retried =
      '{"time":"2026-11-25T10:02:21+00:00","status":502,"upstream":"127.0.0.1:8081, 127.0.0.1:8082","upstream_status":502, 502,"urt":0.002, 0.001}';
    expect(parseAccessLine(one, f)).toMatchObject({ upstreamStatus: ['502'] });
    expect(parseAccessLine(retried, f)).toMatchObject({
      status: 502,
      upstreamAddr: ['127.0.0.1:8081', '127.0.0.1:8082'],
      upstreamStatus: ['502', '502'],
      upstreamResponseTime: ['0.002', '0.001'],
    });
  });

  it('retried tries unquoted ("502, 502") and across an internal redirect ("502 : 502")', () => {
    const f = formatOf(RETRIES, 'retries');
    const retried =
      '10.88.4.1 - - [25/Nov/2026:10:02:23 +0000] "GET / HTTP/1.1" 502 38 "-" "lab-client" upstream_status=502, 502 upstream_addr=127.0.0.1:8081, 127.0.0.1:8081 upstream_response_time=0.002, 0.001 rt=0.004';
    const redirected =
      '10.88.4.1 - - [25/Nov/2026:10:02:24 +0000] "GET / HTTP/1.1" 502 38 "-" "lab-client" upstream_status=502 : 502 upstream_addr=127.0.0.1:8081 : 10.0.0.7:8080 upstream_response_time=0.002 : 0.010 rt=0.013';
    const a = parseAccessLine(retried, f);
    const b = parseAccessLine(redirected, f);
    expect(a).toMatchObject({
      upstreamStatus: ['502', '502'],
      upstreamAddr: ['127.0.0.1:8081', '127.0.0.1:8081'],
    });
    expect(b).toMatchObject({
      upstreamStatus: ['502', '502'],
      upstreamAddr: ['127.0.0.1:8081', '10.0.0.7:8080'],
    });
    const s = computeAccessStats([a, b]);
    expect(s.unattributed).toEqual({ '502': 2 });
    const by = Object.fromEntries(s.perUpstream.map((u) => [u.upstream, u]));
    expect(by['127.0.0.1:8081']).toMatchObject({ requests: 1, relayed: 1, tries: 3, tryFailures: 3 });
    expect(by['10.0.0.7:8080']).toMatchObject({ requests: 1, relayed: 1 });
  });

  it('auto-detection (no nginx -T) still reads us="502" and upstream_status=502 pairs', () => {
    const a = parseAccessLine(
      '10.88.4.1 - - [25/Nov/2026:10:02:11 +0000] "GET / HTTP/1.1" 502 38 "-" "lab-client" ua="127.0.0.1:8081" us="502" urt="0.002"',
    );
    const b = parseAccessLine(
      '10.88.4.1 - - [25/Nov/2026:10:02:11 +0000] "GET / HTTP/1.1" 502 38 "-" "lab-client" upstream_addr=127.0.0.1:8081 upstream_status=502',
    );
    expect(a).toMatchObject({ upstreamAddr: ['127.0.0.1:8081'], upstreamStatus: ['502'] });
    expect(b).toMatchObject({ upstreamAddr: ['127.0.0.1:8081'], upstreamStatus: ['502'] });
  });
});
