/**
 * Parser throughput on 10 MB of real-shaped logs, against a baseline in the same run: splitting the
 * same text into lines and matching one anchored regex per line (the least any parser must do).
 * Medians of several runs.
 *
 *   npx tsx bench/parse.bench.ts
 */
import { parseAccessLog } from '../src/parse/parse-access-log.js';
import { parseErrorLog } from '../src/parse/parse-error-log.js';
import { redact } from '../src/parse/redact.js';

const RUNS = 7;
const ERROR_LINES = [
  '2026/11/21 10:52:04 [error] 6#6: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.88.0.1, server: web-1, request: "GET /api?token=abc HTTP/1.1", upstream: "http://127.0.0.1:8081/api?token=abc", host: "web-1"',
  '2026/11/21 10:52:05 [crit] 6#6: *2 connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 10.88.0.1, server: web-1, request: "GET /php/ HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "web-1"',
  '2026/11/21 10:52:06 [error] 6#6: *3 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.88.0.1, server: web-1, request: "GET /slow HTTP/1.1", upstream: "http://127.0.0.1:8081/slow", host: "web-1"',
];
const ACCESS_LINE =
  '10.88.0.1 - - [21/Nov/2026:10:52:04 +0000] "GET / HTTP/1.1" 502 157 "-" "curl/7.88.1" rt=0.001 ua="127.0.0.1:8081" us="502" uct="-" uht="-" urt="0.000" ul="0" cs=- host="web-1"';

function tenMegabytes(lines: string[]): string {
  const block = `${lines.join('\n')}\n`;
  return block.repeat(Math.ceil((10 * 1024 * 1024) / block.length));
}

function median(fn: () => unknown): number {
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)] ?? 0;
}

const errorText = tenMegabytes(ERROR_LINES);
const accessText = tenMegabytes([ACCESS_LINE]);
const HEAD = /^(\S+) (\S+) (\S+) \[([^\]]+)\]/;
const floor = (text: string) => () => text.split('\n').map((l) => HEAD.exec(l));
const rows: [string, number, number][] = [
  ['error log, 10 MB', median(() => parseErrorLog(errorText)), median(floor(errorText))],
  ['access log, 10 MB', median(() => parseAccessLog(accessText)), median(floor(accessText))],
  ['redact, 10 MB of error lines', median(() => errorText.split('\n').map(redact)), median(floor(errorText))],
];
console.log('| input | parser median ms | split + one regex baseline ms | ratio |\n|---|---:|---:|---:|');
for (const [name, p, b] of rows)
  console.log(`| ${name} | ${p.toFixed(0)} | ${b.toFixed(0)} | ${(p / b).toFixed(1)}x |`);
