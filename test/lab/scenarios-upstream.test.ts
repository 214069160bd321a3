// Scenarios where the fault is in or on the way to an upstream (apps, sockets, network, protocol).
import { describe } from 'vitest';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { restoreCase, scenarioCases } from './scenario-cases.js';
import { SCENARIO_GROUPS } from './scenario-groups.js';

describe.skipIf(labSkipReason('test/lab/scenarios-upstream.test.ts') !== undefined)(
  'lab scenarios: upstream',
  () => {
    const fixture = useLab({ hosts: 2 });
    scenarioCases(fixture, SCENARIO_GROUPS.upstream);
    restoreCase(fixture, 'oom-killed');
  },
);
