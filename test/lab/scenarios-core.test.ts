// The seven first scenarios (issue priority 2), each producing its real status and signature.
import { describe } from 'vitest';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { restoreCase, scenarioCases } from './scenario-cases.js';
import { SCENARIO_GROUPS } from './scenario-groups.js';

describe.skipIf(labSkipReason('test/lab/scenarios-core.test.ts') !== undefined)('lab scenarios: core', () => {
  const fixture = useLab({ hosts: 2 });
  scenarioCases(fixture, SCENARIO_GROUPS.core);
  restoreCase(fixture, 'firewall-drop');
});
