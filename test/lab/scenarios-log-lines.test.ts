// Scenarios for the log lines real logs carry (issue 9): temp files on a full disk, descriptors under
// load, errno 99 without IPv6, failed reloads, and the error log behind a prefixing wrapper.
import { describe } from 'vitest';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { restoreCase, scenarioCases } from './scenario-cases.js';
import { SCENARIO_GROUPS } from './scenario-groups.js';

describe.skipIf(labSkipReason('test/lab/scenarios-log-lines.test.ts') !== undefined)(
  'lab scenarios: log lines real logs carry',
  () => {
    const fixture = useLab({ hosts: 2 });
    scenarioCases(fixture, SCENARIO_GROUPS.logLines);
    restoreCase(fixture, 'ipv6-off-literal');
    restoreCase(fixture, 'log-prefix-docker-app-down');
  },
);
