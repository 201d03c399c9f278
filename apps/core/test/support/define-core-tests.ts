import { CoreHarness, DbKind } from './core-harness';
import { apiBasicsSuite } from '../suites/api-basics.suite';
import { negotiationSuite } from '../suites/negotiation.suite';
import { triggerSuite } from '../suites/trigger.suite';
import { progressSuite } from '../suites/progress.suite';
import { tasksSuite } from '../suites/tasks.suite';
import { concurrencySuite } from '../suites/concurrency.suite';
import { tunnelsSuite } from '../suites/tunnels.suite';

/**
 * The core's integration suite against one database kind: one core in-process with two test
 * gateways, shared by the suites; each test resets the gateways' behaviour.
 */
export function defineCoreTests(db: DbKind): void {
  const h = new CoreHarness(db);
  beforeAll(() => h.start());
  afterAll(() => h.close());
  beforeEach(async () => {
    for (const gw of [h.gwA, h.gwB]) {
      gw.prepare = { accept: true };
      gw.finalizeAnswer = { ok: true };
      gw.failFinalize = 0;
      await gw.start(); // a test may have left it down
    }
  });
  const get = () => h;
  describe(`core on ${db}: API basics`, () => apiBasicsSuite(get));
  describe(`core on ${db}: negotiation`, () => negotiationSuite(get));
  describe(`core on ${db}: trigger`, () => triggerSuite(get));
  describe(`core on ${db}: progress and finalize`, () => progressSuite(get));
  describe(`core on ${db}: tasks`, () => tasksSuite(get));
  describe(`core on ${db}: concurrency`, () => concurrencySuite(get));
  describe(`core on ${db}: tunnels`, () => tunnelsSuite(get));
}
