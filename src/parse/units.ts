/**
 * nginx value units, as the config parser reads them.
 * Times: `ngx_parse_time()` in src/core/ngx_parse.c (`ms s m h d w M y`, several components such as
 * `1m30s`, bare numbers are seconds). Sizes: `ngx_parse_size()` (`k`/`K`, `m`/`M`, `g`/`G`,
 * bare numbers are bytes).
 */

const TIME_UNIT_S: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  M: 2_592_000,
  y: 31_536_000,
};

// One component: digits then an optional unit; `ms` must be tried before `m`.
const TIME_PART = /(\d+)(ms|[smhdwMy])?/y;

/** `1m30s` -> 90, `500ms` -> 0.5, `75` -> 75; `undefined` when the value is not an nginx time. */
export function parseNginxTimeS(value: string): number | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    if (text[pos] === ' ') {
      pos++;
      continue;
    }
    TIME_PART.lastIndex = pos;
    const m = TIME_PART.exec(text);
    if (!m) return undefined;
    const unit = m[2] ?? 's';
    total += Number(m[1]) * (TIME_UNIT_S[unit] ?? 1);
    pos = TIME_PART.lastIndex;
  }
  return total;
}

const SIZE_RE = /^(\d+)([kKmMgG]?)$/;
const SIZE_FACTOR: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `16k` -> 16384, `1m` -> 1048576, `4096` -> 4096; `undefined` when not an nginx size. */
export function parseNginxSize(value: string): number | undefined {
  const m = SIZE_RE.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * (SIZE_FACTOR[(m[2] ?? '').toLowerCase()] ?? 1);
}
