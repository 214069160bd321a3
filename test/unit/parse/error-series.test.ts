import { describe, expect, it } from 'vitest';
import { computeErrorSeries } from '../../../src/parse/error-series.js';
import { parseAccessLog } from '../../../src/parse/parse-access-log.js';

/**
 * The chart's series from access-log lines as nginx 1.22 writes them in the catalog 5.1
 * `upstream_time` format (the lab's), and in plain `combined` (no upstream fields).
 */
const line = (t: string, status: number, ua: string, us: string) =>
  `10.88.4.1 - - [25/Nov/2026:${t} +0000] "GET / HTTP/1.1" ${status} 157 "-" "diagnose502-lab" rt=0.002 ua="${ua}" us="${us}" uct="0.000" uht="-" urt="0.001" ul="0" cs=- host="10.88.4.11"`;

const SINCE = Date.UTC(2026, 10, 25, 10, 0, 0);
const UNTIL = Date.UTC(2026, 10, 25, 10, 5, 30);

describe('computeErrorSeries', () => {
  it('counts final 502/504 per minute per upstream, zero minutes included, retries by the try the client got', () => {
    const text = [
      line('09:59:58', 502, '127.0.0.1:8081', '502'), // before the window: left out
      line('10:00:05', 200, '127.0.0.1:8081', '200'),
      line('10:00:10', 502, '127.0.0.1:8081', '502'),
      line('10:00:40', 502, '127.0.0.1:8081, 127.0.0.1:8082', '502, 502'), // retried: counted once, on 8082
      line('10:02:01', 504, '127.0.0.1:8082', '504'),
      line('10:02:30', 502, '-', '-'), // nginx answered without an upstream
      line('10:04:59', 502, '127.0.0.1:8081', '502'),
      line('10:04:59', 200, '127.0.0.1:8081, 127.0.0.1:8082', '502, 200'), // a retry that succeeded: no error
    ].join('\n');
    const { records, unparsed } = parseAccessLog(text, 'upstream_time');
    expect(unparsed).toBe(0);
    const s = computeErrorSeries(records, { sinceMs: SINCE, untilMs: UNTIL });
    expect(s).toMatchObject({
      startMs: SINCE,
      bucketS: 60,
      buckets: 6,
      by: 'upstream',
      total502: 4,
      total504: 1,
    });
    expect(s.firstErrorMs).toBe(Date.UTC(2026, 10, 25, 10, 0, 10));
    const by = Object.fromEntries(s.lines.map((l) => [l.key, l]));
    expect(by['127.0.0.1:8081']).toEqual({
      key: '127.0.0.1:8081',
      c502: [1, 0, 0, 0, 1, 0],
      c504: [0, 0, 0, 0, 0, 0],
    });
    expect(by['127.0.0.1:8082']).toEqual({
      key: '127.0.0.1:8082',
      c502: [1, 0, 0, 0, 0, 0],
      c504: [0, 0, 1, 0, 0, 0],
    });
    expect(by['nginx (no upstream)']?.c502).toEqual([0, 0, 1, 0, 0, 0]);
    // Ranked by errors: the busiest upstream first.
    expect(s.lines.map((l) => l.key)).toEqual(['127.0.0.1:8081', '127.0.0.1:8082', 'nginx (no upstream)']);
  });

  it('without $upstream_addr in the format: one series, 502 and 504 apart', () => {
    const text = [
      '10.88.4.1 - - [25/Nov/2026:10:01:02 +0000] "GET / HTTP/1.1" 502 157 "-" "curl/7.88.1"',
      '10.88.4.1 - - [25/Nov/2026:10:01:03 +0000] "GET /slow HTTP/1.1" 504 167 "-" "curl/7.88.1"',
      '10.88.4.1 - - [25/Nov/2026:10:03:03 +0000] "GET /slow HTTP/1.1" 504 167 "-" "curl/7.88.1"',
    ].join('\n');
    const { records } = parseAccessLog(text, 'combined');
    const s = computeErrorSeries(records, { sinceMs: SINCE, untilMs: UNTIL });
    expect(s.by).toBe('status');
    expect(s.lines).toEqual([{ key: 'all requests', c502: [0, 1, 0, 0, 0, 0], c504: [0, 1, 0, 1, 0, 0] }]);
  });

  it('many upstreams: the quietest are summed into "other upstreams"', () => {
    const peers = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80', '10.0.0.5:80', '10.0.0.6:80'];
    const text = peers
      .flatMap((p, i) => Array.from({ length: 6 - i }, () => line('10:01:00', 502, p, '502')))
      .join('\n');
    const s = computeErrorSeries(parseAccessLog(text, 'upstream_time').records, {
      sinceMs: SINCE,
      untilMs: UNTIL,
    });
    expect(s.lines.map((l) => l.key)).toEqual([
      '10.0.0.1:80',
      '10.0.0.2:80',
      '10.0.0.3:80',
      '10.0.0.4:80',
      'other upstreams',
    ]);
    expect(s.lines[4]?.c502[1]).toBe(2 + 1);
  });

  it('a day-long window gets wider buckets (at most 180 bars), no errors: empty', () => {
    const s = computeErrorSeries([], { sinceMs: SINCE, untilMs: SINCE + 24 * 3600_000 });
    expect(s.bucketS).toBe(480);
    expect(s.buckets).toBe(180);
    expect(s).toMatchObject({ lines: [], total502: 0, total504: 0 });
    expect(s.firstErrorMs).toBeUndefined();
  });
});
