/**
 * `npm run test:unit`: the pure tests only (no lab, no sshd, no Redis; see test/lanes.ts), files in
 * parallel. The full suite is `npm test` (vitest.config.ts), 15-25 minutes.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { pureTestFiles } from './test/lanes.js';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: pureTestFiles(fileURLToPath(new URL('.', import.meta.url))),
    // Nothing here shares a lab or a port: files may run side by side.
    fileParallelism: true,
  },
});
