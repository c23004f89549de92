import { COLLECTIONS } from '../../../../shared/contracts/collections';
import { Alert } from '../../../../shared/contracts/messages/alert';
import { RollbackRequest } from '../../../../shared/contracts/messages/rollback-request';
import { handleModelDeployed } from '../../../../shared/services/validation/post-deploy';
import { createLogger } from '../../../../shared/logging/logger';
import { aForecast } from '../../../builders/model';
import { countingServing, NOW, openWorld, type World } from './world';

const logger = createLogger({ component: 'test', level: 'error', write: () => undefined });

describe('post-deploy validation outcome', () => {
  let world: World;
  beforeEach(async () => {
    world = await openWorld();
  });
  afterEach(async () => world.close());

  async function deployBroken(isbn: string): Promise<string> {
    const base = aForecast({ level: 110, trend: 0 });
    const x10 = (xs: number[]) => xs.map((x) => x * 10);
    const bad = await world.addVersion(isbn, {
      forecast: { mean: x10(base.mean), lower: x10(base.lower), upper: x10(base.upper) },
    });
    await world.serving.setTraffic(isbn, { [bad]: 100 });
    await world.registry.setAlias(isbn, 'production', bad);
    return bad;
  }

  const event = (isbn: string, version: string) => ({
    isbn,
    version,
    environment: 'production' as const,
    deployedBy: 'ci',
    correlationId: 'corr-deploy',
    previousVersion: '2',
  });

  it('quarantines a failed version, requests a rollback to last-known-good and raises one critical alert', async () => {
    const isbn = await world.aBook(2);
    const bad = await deployBroken(isbn);
    const result = await handleModelDeployed(
      { message: event(isbn, bad), messageId: 'm-1', correlationId: 'corr-deploy' },
      world.ports({ logger }),
      world.settings(),
    );
    expect(result.report.passed).toBe(false);
    expect(result.report.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual([
      'range.history',
      'range.recent-level',
      'shift',
    ]);

    const version = await world.registry.getVersion(isbn, bad);
    expect(version!.quarantine).toEqual({
      reason: 'post-deploy validation failed: range.history, range.recent-level, shift',
      at: NOW,
      by: 'post-deploy-validation',
      reportId: result.report.reportId,
    });
    const [rollback] = await world.drain('rollback-requests');
    expect(RollbackRequest.parse(rollback!.data)).toMatchObject({
      scope: { isbns: [isbn] },
      target: { kind: 'last-known-good' },
      correlationId: 'corr-deploy',
    });
    expect(rollback!.attributes.correlationId).toBe('corr-deploy');
    const alerts = (await world.drain('alerts')).map((m) => Alert.parse(m.data));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'validation_failed',
      severity: 'critical',
      isbn,
      modelVersion: bad,
    });
    expect((await world.drain('model-lifecycle')).map((m) => (m.data as { type: string }).type)).toEqual([
      'validation.failed',
      'model.quarantined',
    ]);
    // Last-known-good is untouched.
    expect((await world.state.get(COLLECTIONS.lastKnownGood, isbn))!.data).toMatchObject({ version: '2' });
  });

  it('a redelivered message reuses its report: no second batch, the same rollback request id', async () => {
    const isbn = await world.aBook(2);
    const bad = await deployBroken(isbn);
    const first = await handleModelDeployed(
      { message: event(isbn, bad), messageId: 'm-2', correlationId: 'c' },
      world.ports({ logger }),
      world.settings(),
    );
    const [r1] = await world.drain('rollback-requests');
    const serving = countingServing(world.serving);
    const again = await handleModelDeployed(
      { message: event(isbn, bad), messageId: 'm-2', correlationId: 'c' },
      world.ports({ serving, logger }),
      world.settings(),
    );
    expect(again.reused).toBe(true);
    expect(again.report.reportId).toBe(first.report.reportId);
    expect(serving.calls).toBe(0);
    const [r2] = await world.drain('rollback-requests');
    expect((r2!.data as { requestId: string }).requestId).toBe((r1!.data as { requestId: string }).requestId);
  });

  it("makes a passing version last-known-good and resolves the book's validation alert", async () => {
    const isbn = await world.aBook(2);
    const good = await world.addVersion(isbn);
    await world.serving.setTraffic(isbn, { [good]: 100 });
    await world.registry.setAlias(isbn, 'production', good);
    const result = await handleModelDeployed(
      { message: event(isbn, good), messageId: 'm-3', correlationId: 'c' },
      world.ports({ logger }),
      world.settings(),
    );
    expect(result.report.passed).toBe(true);
    expect((await world.state.get(COLLECTIONS.lastKnownGood, isbn))!.data).toEqual({
      isbn,
      version: good,
      validatedAt: NOW,
      reportId: result.report.reportId,
      setBy: 'post-deploy-validation',
    });
    expect((await world.drain('alerts')).map((m) => Alert.parse(m.data))).toEqual([
      expect.objectContaining({ status: 'resolved', severity: 'info', isbn }),
    ]);
    expect(await world.drain('rollback-requests')).toEqual([]);
  });

  it('never makes a quarantined version last-known-good, even when it passes', async () => {
    const isbn = await world.aBook(2);
    const good = await world.addVersion(isbn);
    await world.serving.setTraffic(isbn, { [good]: 100 });
    await world.registry.setQuarantine(isbn, good, {
      reason: 'failed before',
      at: NOW,
      by: 'post-deploy-validation',
    });
    const result = await handleModelDeployed(
      { message: event(isbn, good), messageId: 'm-4', correlationId: 'c' },
      world.ports({ logger }),
      world.settings(),
    );
    expect(result.report.passed).toBe(true);
    expect(result.outcome.notes[0]).toContain('does not become last-known-good');
    expect((await world.state.get(COLLECTIONS.lastKnownGood, isbn))!.data).toMatchObject({ version: '2' });
  });
});
