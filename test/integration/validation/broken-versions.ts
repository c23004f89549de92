/**
 * The done-when suite, shared by the embedded backend and the emulators: a
 * deliberately broken version (×10, negative, NaN, wrong horizon) deployed
 * through the normal path fails validation, is quarantined, the book is
 * rolled back to last-known-good, and exactly one critical alert goes out —
 * timed from the deployment to the rollback; a good version passes and
 * becomes last-known-good.
 */
import { COLLECTIONS } from '../../../shared/contracts/collections';
import type { LastKnownGood } from '../../../shared/contracts/documents/last-known-good';
import type { ValidationReport } from '../../../shared/contracts/documents/validation-report';
import { PRODUCTION_ALIAS } from '../../../shared/ports/model-registry';
import { randomIds } from '../../../shared/ports/clock';
import { createLogger } from '../../../shared/logging/logger';
import { BAD_VERSION_DEFECTS, demoBadVersion } from '../../../shared/services/demo';
import { deployModels } from '../../../shared/services/deploy';
import { reportFigure } from '../../helpers/figures';
import type { LoopWorld } from './loop';

/** The checks each defect must trip (at least). */
const EXPECTED: Record<(typeof BAD_VERSION_DEFECTS)[number], string[]> = {
  x10: ['range.history', 'range.recent-level', 'shift'],
  negative: ['values'],
  nan: ['values'],
  horizon: ['answered', 'horizon'],
};

export function describeBrokenVersionLoop(label: string, open: () => Promise<LoopWorld>): void {
  describe(`post-deploy validation loop [${label}]`, () => {
    let world: LoopWorld;
    beforeAll(async () => {
      world = await open();
    }, 120_000);
    afterAll(async () => world?.close());

    it.each(BAD_VERSION_DEFECTS.map((d, i) => [d, i]))(
      'a %s version is caught, quarantined, rolled back to last-known-good, with one critical alert',
      async (defect, index) => {
        const isbn = world.isbns[(index as number) % world.isbns.length]!;
        const lkg = (await world.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, isbn))!.data.version;
        await world.alerts(0);
        const started = performance.now();
        const deployed = await demoBadVersion(
          {
            isbn,
            defect: defect as (typeof BAD_VERSION_DEFECTS)[number],
            deployedBy: 'test',
            correlationId: `corr-${defect}-${index}`,
          },
          { registry: world.registry, serving: world.serving, bus: world.bus },
          { environment: 'production' },
        );
        const bad = deployed.version!;
        expect(await world.deliverDeployments()).toEqual(['handled']);
        const [rollback] = await world.applyRollbacks();
        const elapsed = performance.now() - started;
        reportFigure(`validation[${label}]`, `${defect}: deploy → rolled back`, `${elapsed.toFixed(0)} ms`);
        expect(elapsed).toBeLessThan(30_000);

        const version = await world.registry.getVersion(isbn, bad);
        expect(version!.quarantine).toMatchObject({ by: 'post-deploy-validation' });
        const report = (await world.state.get<ValidationReport>(
          COLLECTIONS.validationReports,
          version!.quarantine!.reportId!,
        ))!.data;
        expect(report.passed).toBe(false);
        expect(report.predictions).toBeGreaterThanOrEqual(1000);
        const failed = report.checks.filter((c) => !c.passed).map((c) => c.name);
        expect(failed).toEqual(expect.arrayContaining(EXPECTED[defect as keyof typeof EXPECTED]));

        expect(rollback!.results).toEqual([
          expect.objectContaining({ isbn, from: bad, to: lkg, status: 'succeeded', verified: true }),
        ]);
        const serving = await world.serving.getServing(isbn);
        expect(serving!.deployments.filter((d) => d.trafficPercent > 0)).toEqual([
          expect.objectContaining({ version: lkg, trafficPercent: 100 }),
        ]);
        expect(await world.registry.getAlias(isbn, PRODUCTION_ALIAS)).toBe(lkg);
        expect((await world.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, isbn))!.data.version).toBe(
          lkg,
        );

        const alerts = await world.alerts();
        const critical = alerts.filter((a) => a.severity === 'critical' && a.status === 'firing');
        expect(critical).toHaveLength(1);
        expect(critical[0]).toMatchObject({
          kind: 'validation_failed',
          isbn,
          modelVersion: bad,
          correlationId: `corr-${defect}-${index}`,
        });
      },
      60_000,
    );

    it('a good version passes its gates, is deployed, passes validation and becomes last-known-good', async () => {
      const isbn = world.isbns[0]!;
      const serving = (await world.registry.getAlias(isbn, PRODUCTION_ALIAS))!;
      const base = (await world.registry.getVersion(isbn, serving))!;
      const { version: _v, aliases: _a, quarantine: _q, ...rest } = base;
      const good = await world.registry.registerVersion({
        ...rest,
        createdAt: undefined,
        forecast: await world.registry.getForecast(isbn, serving),
      });
      const deploy = await deployModels(
        { isbns: [isbn], version: good.version, deployedBy: 'test', correlationId: 'corr-good' },
        {
          ...world.validationDeps(),
          ids: randomIds,
          logger: createLogger({ component: 'test', level: 'error', write: () => undefined }),
        },
      );
      expect(deploy.results[0]).toMatchObject({ deployed: true, blockedBy: [] });
      expect(await world.deliverDeployments()).toEqual(['handled']);
      expect((await world.state.get<LastKnownGood>(COLLECTIONS.lastKnownGood, isbn))!.data).toMatchObject({
        version: good.version,
        setBy: 'post-deploy-validation',
      });
      expect(await world.applyRollbacks(200)).toEqual([]);
      expect((await world.alerts()).filter((a) => a.severity === 'critical')).toEqual([]);
    }, 60_000);
  });
}
