import { CoreHarness, DbKind } from './core-harness';
import { METRICS_TOKEN } from './ops-helpers';
import { adminApiSuite } from '../suites/ops/admin-api.suite';
import { adminCliSuite } from '../suites/ops/admin-cli.suite';
import { auditSuite } from '../suites/ops/audit.suite';
import { healthSuite } from '../suites/ops/health.suite';
import { metricsSuite } from '../suites/ops/metrics.suite';

/**
 * Operations features against one database kind: health probes, metrics, audit log, admin API and
 * the admin CLI, on one in-process core with two test gateways. Health runs first: later suites
 * register providers that are not running, which makes the core not ready on purpose.
 */
export function defineOperationsTests(db: DbKind): void {
  const h = new CoreHarness(db, { FERRY_METRICS_TOKEN: METRICS_TOKEN });
  beforeAll(() => h.start());
  afterAll(() => h.close());
  beforeEach(async () => {
    for (const gw of [h.gwA, h.gwB]) {
      gw.prepare = { accept: true };
      gw.finalizeAnswer = { ok: true };
      gw.failFinalize = 0;
      await gw.start();
    }
  });
  const get = () => h;
  describe(`operations on ${db}: health`, () => healthSuite(get));
  describe(`operations on ${db}: metrics`, () => metricsSuite(get));
  describe(`operations on ${db}: audit log`, () => auditSuite(get));
  describe(`operations on ${db}: admin API`, () => adminApiSuite(get));
  describe(`operations on ${db}: admin CLI`, () => adminCliSuite(get));
}
