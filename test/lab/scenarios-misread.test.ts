// Scenarios of causes the evidence showed while the rules read it wrong (issue 9 section 3): the app
// up elsewhere, the upstream's own 502 in other log formats, restart windows, unrelated OOM kills.
import { describe } from 'vitest';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { restoreCase, scenarioCases } from './scenario-cases.js';
import { SCENARIO_GROUPS } from './scenario-groups.js';

describe.skipIf(labSkipReason('test/lab/scenarios-misread.test.ts') !== undefined)(
  'lab scenarios: causes read wrong before',
  () => {
    const fixture = useLab({ hosts: 2 });
    scenarioCases(fixture, SCENARIO_GROUPS.misread);
    restoreCase(fixture, 'wrong-address-localhost-ipv6');
  },
);
