// Scenarios where the fault is nginx itself or the host (limits, disk, config, ssh, load).
import { describe } from 'vitest';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { restoreCase, scenarioCases } from './scenario-cases.js';
import { SCENARIO_GROUPS } from './scenario-groups.js';

describe.skipIf(labSkipReason('test/lab/scenarios-host.test.ts') !== undefined)(
  'lab scenarios: nginx and host',
  () => {
    const fixture = useLab({ hosts: 2 });
    scenarioCases(fixture, SCENARIO_GROUPS.host);
    restoreCase(fixture, 'host-key-changed');
  },
);
