// Scenarios for the app servers the inventory names (issue 18 item 6): a uWSGI worker that times out,
// one that crashes, and a listen queue that overflows, each told apart by uWSGI's own log.
import { describe } from 'vitest';
import { labSkipReason, useLab } from '../../lab/with-lab.js';
import { restoreCase, scenarioCases } from './scenario-cases.js';
import { SCENARIO_GROUPS } from './scenario-groups.js';

describe.skipIf(labSkipReason('test/lab/scenarios-app-servers.test.ts') !== undefined)(
  'lab scenarios: app servers (uWSGI)',
  () => {
    const fixture = useLab({ hosts: 2 });
    scenarioCases(fixture, SCENARIO_GROUPS.appServers);
    restoreCase(fixture, 'uwsgi-listen-queue-full');
  },
);
