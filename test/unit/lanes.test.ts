/**
 * The fast lane (`npm run test:unit`, test/lanes.ts) takes every pure test file and none that needs
 * a lab, sshd, Redis or Alertmanager: checked on the files as they are, so a new test that starts
 * one of those is noticed here rather than by a slow or failing fast lane.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { needsService, pureTestFiles } from '../lanes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pure = pureTestFiles(ROOT);

describe('the pure test lane', () => {
  it('keeps out the tests that start a lab, sshd, Redis or Alertmanager', () => {
    for (const file of [
      'test/bot/restart-lab.test.ts', // a lab
      'test/bot/restart-lock.test.ts', // Redis
      'test/bot/worker-lifecycle.test.ts', // Redis and child workers
      'test/ssh/ssh-session.test.ts', // sshd
      'test/alerts/webhooks.test.ts', // Redis through the bot harness
      'test/alerts/alertmanager-e2e.test.ts', // Alertmanager and a lab
      'test/lab/scenarios-core.test.ts', // a lab
      'test/e2e/scenarios.test.ts', // a lab
    ]) {
      expect(pure, file).not.toContain(file);
    }
  });

  it('takes every test under test/unit/, and the pure ones elsewhere', () => {
    const unit = readdirSync(`${ROOT}test/unit`, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.test.ts'))
      .map((file) => `test/unit/${file}`);
    expect(unit).toContain('test/unit/lanes.test.ts');
    expect(unit.filter((file) => !pure.includes(file))).toEqual([]);
    for (const file of [
      'test/bot/block-kit.test.ts',
      'test/lab/lab-plan.test.ts',
      'test/alerts/intake-core.test.ts',
    ]) {
      expect(pure, file).toContain(file);
    }
  });

  it('reads the module a test imports, not words in its strings', () => {
    // Built from pieces: written whole, these imports would put this file itself out of the lane.
    const harness = ['bot', 'harness.js'].join('-');
    expect(needsService(`import { startBotHarness } from '../bot/${harness}';`)).toBe(true);
    expect(needsService(`import {\n  redisAvailable,\n} from './${harness}';`)).toBe(true);
    expect(needsService('expect(msg).toMatch(/REDIS_URL must be redis:\\/\\/host:6379/);')).toBe(false);
    expect(needsService("import { knownHostsLines } from '../../lab/sshd.js';")).toBe(false);
  });
});
