/**
 * vitest helpers: one small fleet per test file, on a lab id of its own (never the developer's lab
 * 0), torn down after the file even when a test fails. A test run that died leaves a lock whose
 * owner is gone: the next run takes that id over and cleans it up first.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { LabConfig } from './config.js';
import { labConfig, lockPath, parseLabId } from './config.js';
import type { Lab, StartLabOptions } from './fleet.js';
import { lockHeld, startLab } from './fleet.js';
import { labUnavailableReason } from './preflight.js';
import { teardownLab } from './teardown.js';

/** Lab ids tests may use; 0 is the developer's default lab. */
export const TEST_LAB_IDS = { first: 7, last: 40 };

/**
 * Reserves a free lab id for this process by creating its lock file exclusively. LAB_TEST_ID pins
 * the id (e.g. to inspect a failed run).
 */
export async function reserveTestLab(): Promise<LabConfig> {
  if (process.env.LAB_TEST_ID) return labConfig(parseLabId(process.env.LAB_TEST_ID));
  for (let id = TEST_LAB_IDS.first; id <= TEST_LAB_IDS.last; id++) {
    const cfg = labConfig(id);
    await mkdir(path.dirname(cfg.dir), { recursive: true });
    if (await lockHeld(cfg)) continue; // this process's other labs included
    try {
      await teardownLab(cfg); // leftovers of a dead run, if any
      const fd = openSync(lockPath(cfg), 'wx');
      writeSync(fd, `process ${process.pid}\n`);
      closeSync(fd);
      return cfg;
    } catch {
      // Another process took this id between our check and our lock: try the next one.
    }
  }
  throw new Error(
    `lab: no free test lab id in ${TEST_LAB_IDS.first}..${TEST_LAB_IDS.last}; run down on stale ones`,
  );
}

export interface LabFixture {
  /** The running lab (available inside tests, after beforeAll). */
  readonly lab: Lab;
}

/**
 * Starts a lab before the tests of the enclosing describe and stops it after them. Use inside
 * `describe.skipIf(labSkipReason())`.
 */
export function useLab(opts: Omit<StartLabOptions, 'id' | 'owner'> = {}): LabFixture {
  let lab: Lab | undefined;
  let cfg: LabConfig | undefined;
  beforeAll(async () => {
    cfg = await reserveTestLab();
    lab = await startLab({ hosts: 2, ...opts, id: cfg.id, owner: 'process' });
  });
  afterAll(async () => {
    if (cfg) await teardownLab(cfg);
  });
  return {
    get lab(): Lab {
      if (!lab) throw new Error('lab: the fixture is used before beforeAll started it');
      return lab;
    },
  };
}

/**
 * Why lab tests cannot run here (not Linux, not root, a package missing), printed once per file so a
 * skip is never silent; undefined when they can.
 */
export function labSkipReason(file: string): string | undefined {
  const reason = labUnavailableReason();
  if (reason) console.warn(`${file}: lab tests skipped: ${reason}`);
  return reason;
}
