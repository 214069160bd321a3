import { describe, expect, it } from 'vitest';
import { EXIT_OK, exitCodeFor } from '../../../src/cli/run-cli.js';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import { hostVerdict } from '../../../src/pipeline/verdict.js';
import { healthy, withErrors } from './evidence-builder.js';
import * as L from './lines.js';

// Real nginx line shapes no signature knows (ngx_process_cycle.c, ngx_event_openssl.c, ngx_open_file_cache.c).
const SIGNAL = '2026/11/21 10:12:30 [alert] 2120#2120: worker process 2131 exited on signal 11 (core dumped)';
const PREAD =
  '2026/11/21 10:12:31 [crit] 2131#2131: *88 pread() "/var/www/shop/index.html" failed (5: Input/output error), client: 203.0.113.7, server: shop.example.com, request: "GET / HTTP/1.1", host: "shop.example.com"';
const SHM =
  '2026/11/21 10:12:32 [emerg] 2120#2120: could not build optimal proxy_headers_hash, you should increase either proxy_headers_hash_max_size: 512 or proxy_headers_hash_bucket_size: 64';

describe('a [crit], [alert] or [emerg] line is never "all clear" (issue 18 item 7, the rule)', () => {
  it.each([
    ['a worker killed by a signal', SIGNAL, 'nginx-down', '[alert]'],
    ['an I/O error reading a file', PREAD, 'host-overload', '[crit]'],
    ['an emerg nginx could not get past', SHM, 'nginx-config-invalid', '[emerg]'],
  ])('%s: an unclassified critical error with the line, the verdict a cause', (_n, line, cause, level) => {
    const ev = withErrors(healthy(), line);
    expect(ev.errorLog?.entries[0]?.signature).toBeUndefined();
    const fs = diagnose(ev);
    expect(fs.map((f) => f.cause)).not.toContain('no-502-evidence');
    expect(fs[0]?.cause).toBe(cause);
    expect(fs[0]?.title).toContain(`Unclassified critical error: 1 × ${level} line`);
    expect(fs[0]?.evidence).toContain(line);
    const { verdict } = hostVerdict(fs, ev.unavailable);
    expect(verdict).toBe('cause-found');
    expect(exitCodeFor({ verdict })).not.toBe(EXIT_OK);
  });

  it('ranks after a cause a rule confirmed, and an [error] or [warn] line alone is not one', () => {
    const ev = withErrors(healthy(), [...L.REFUSED_8081, SIGNAL].join('\n'));
    const fs = diagnose(ev);
    expect(fs[0]?.cause).toBe('upstream-down');
    expect(fs.some((f) => f.title.startsWith('Unclassified critical error'))).toBe(true);
    const warn = withErrors(
      healthy(),
      '2026/11/21 10:12:30 [warn] 2131#2131: *9 an upstream response is buffered to a temporary file /var/lib/nginx/proxy/1/00/0000000001 while reading upstream, client: 203.0.113.7, server: shop.example.com, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "shop.example.com"',
    );
    expect(diagnose(warn).map((f) => f.cause)).toEqual(['no-502-evidence']);
  });
});
