import { describe, expect, it } from 'vitest';
import {
  chooseRotationChain,
  firstTimeS,
  lineTimeS,
  type RotatedCandidate,
  rotationName,
} from '../../../src/parse/rotation-chain.js';

const LOG = '/var/log/nginx/error.log';
const START = 1_800_000_000; // the window's start
const c = (suffix: string, mtimeS: number, startS?: number): RotatedCandidate => ({
  path: `${LOG}${suffix}`,
  mtimeS,
  ...(startS === undefined ? {} : { startS }),
});
const paths = (r: { chain: RotatedCandidate[] }) => r.chain.map((x) => x.path.slice(LOG.length));

describe('rotation names (numbered, dateext, plain or compressed)', () => {
  it('takes logrotate names and nothing else', () => {
    expect(rotationName(LOG, `${LOG}.1`)).toEqual({ naming: 'numbered', order: 1, gz: false });
    expect(rotationName(LOG, `${LOG}.12.gz`)).toEqual({ naming: 'numbered', order: 12, gz: true });
    expect(rotationName(LOG, `${LOG}-20261207.gz`)).toMatchObject({ naming: 'dateext', gz: true });
    expect(rotationName(LOG, `${LOG}-2026-12-07`)).toMatchObject({ naming: 'dateext', gz: false });
    expect(rotationName(LOG, `${LOG}-2026120718`)).toMatchObject({ naming: 'dateext' });
    // Another compresscmd: xz, bzip2, zstd.
    expect(rotationName(LOG, `${LOG}.2.xz`)).toEqual({ naming: 'numbered', order: 2, gz: true });
    expect(rotationName(LOG, `${LOG}.1.bz2`)).toEqual({ naming: 'numbered', order: 1, gz: true });
    expect(rotationName(LOG, `${LOG}-20261207.zst`)).toMatchObject({ naming: 'dateext', gz: true });
    for (const bad of [
      LOG,
      `${LOG}.1.lz4`,
      `${LOG}.1.gz.xz`,
      `${LOG}.1/../../../../etc/shadow`,
      `${LOG}.1\n1900000000 /etc/shadow`,
      `${LOG}-20261207 $(touch x)`,
      `${LOG}.old`,
      '/etc/shadow',
      `${LOG}x.1`,
    ])
      expect(rotationName(LOG, bad), JSON.stringify(bad)).toBeUndefined();
  });

  it('a later date sorts newer than an earlier one', () => {
    const a = rotationName(LOG, `${LOG}-20261207`);
    const b = rotationName(LOG, `${LOG}-20261206.gz`);
    expect(a && b && a.order < b.order).toBe(true);
  });
});

describe('line times', () => {
  it('reads the error log (host offset), the access log and ISO 8601', () => {
    expect(lineTimeS('2027/01/15 08:00:00 [error] 1#1: *1 x', 60)).toBe(Date.UTC(2027, 0, 15, 7) / 1000);
    expect(lineTimeS('10.0.0.1 - - [15/Jan/2027:08:00:00 +0100] "GET / HTTP/1.1" 502 1', 0)).toBe(
      Date.UTC(2027, 0, 15, 7) / 1000,
    );
    expect(lineTimeS('2027-01-15T08:00:00+01:00 502 /', 0)).toBe(Date.UTC(2027, 0, 15, 7) / 1000);
    expect(lineTimeS('no time here', 0)).toBeUndefined();
    expect(firstTimeS('junk\n2027/01/15 08:00:00 [error] x\n', 0)).toBe(Date.UTC(2027, 0, 15, 8) / 1000);
  });
});

describe('the chain the window needs (newest first, stop at the file that holds its start)', () => {
  it('numbered: .1 holds the start, .2.gz is older and not needed', () => {
    const r = chooseRotationChain(LOG, [c('.2.gz', START - 3600), c('.1', START + 60, START - 100)], START);
    expect(paths(r)).toEqual(['.1']);
  });

  it('delaycompress: .1 plain then .2.gz, both written inside the window', () => {
    const r = chooseRotationChain(
      LOG,
      [c('.3.gz', START - 86_400), c('.2.gz', START + 100, START - 50), c('.1', START + 200, START + 100)],
      START,
    );
    expect(paths(r)).toEqual(['.1', '.2.gz']);
  });

  it('dateext + compress, two rotations in the window: newest first, stop at the one that starts before', () => {
    const r = chooseRotationChain(
      LOG,
      [
        c('-20261205.gz', START - 86_400, START - 2 * 86_400),
        c('-20261206.gz', START + 300, START - 600),
        c('-20261207.gz', START + 900, START + 300),
      ],
      START,
    );
    expect(paths(r)).toEqual(['-20261207.gz', '-20261206.gz']);
  });

  it('stops at the first file that starts before the window even when an older one looks recent', () => {
    const r = chooseRotationChain(LOG, [c('.1', START + 60, START - 10), c('.2.gz', START + 30)], START);
    expect(paths(r)).toEqual(['.1']);
  });

  it('equal mtimes (gzip keeps them): the name orders them', () => {
    const r = chooseRotationChain(LOG, [c('.2.gz', START + 60), c('.1', START + 60)], START);
    expect(paths(r)).toEqual(['.1', '.2.gz']);
  });

  it('no predecessor when the current file starts before the window', () => {
    expect(
      chooseRotationChain(LOG, [c('.1', START + 60)], START, { currentStartS: START - 1 }).chain,
    ).toEqual([]);
  });

  it('a hostile name is no candidate', () => {
    const r = chooseRotationChain(
      LOG,
      [
        { path: '/etc/shadow', mtimeS: START + 999 },
        { path: `${LOG}.1/../../../etc/shadow`, mtimeS: START + 999 },
        c('.1', START + 60, START - 1),
      ],
      START,
    );
    expect(paths(r)).toEqual(['.1']);
  });

  it('bounded: at most 5 files, the next one named as left out', () => {
    const many = Array.from({ length: 8 }, (_, i) =>
      c(`.${i + 1}.gz`, START + 1000 - i * 100, START + 900 - i * 100),
    );
    const r = chooseRotationChain(LOG, many, START);
    expect(paths(r)).toEqual(['.1.gz', '.2.gz', '.3.gz', '.4.gz', '.5.gz']);
    expect(r.leftOut?.path).toBe(`${LOG}.6.gz`);
  });
});
