import { COLLECTIONS } from '../../../../shared/contracts/collections';
import { Approval } from '../../../../shared/contracts/documents/approval';
import { ModelDeployed } from '../../../../shared/contracts/messages/model-deployed';
import type { RollbackLease } from '../../../../shared/contracts/documents/rollback';
import { addWeeks } from '../../../../shared/domain/series/weeks';
import { deployModels, type DeployRequest } from '../../../../shared/services/deploy';
import type { DeployDeps } from '../../../../shared/services/deploy/deps';
import { aForecast } from '../../../builders/model';
import { NOW, openWorld, TRAINED_THROUGH, type World } from '../validation/world';

describe('deployModels', () => {
  let world: World;
  beforeEach(async () => {
    world = await openWorld();
  });
  afterEach(async () => world.close());

  const deps = (over: Partial<DeployDeps> = {}): DeployDeps => ({ ...world.deps(), ...over });
  const request = (isbns: string[], over: Partial<DeployRequest> = {}): DeployRequest => ({
    isbns,
    version: 'latest',
    deployedBy: 'alice',
    correlationId: 'corr-deploy',
    ...over,
  });
  const gate = (r: { gates: Array<{ name: string; passed: boolean; detail: string }> }, name: string) =>
    r.gates.find((g) => g.name === name)!;

  it('switches a clean version in, records the serving history and announces it for validation', async () => {
    const isbn = await world.aBook(2);
    const v3 = await world.addVersion(isbn, { rmse: 11, mape: 13 });
    const result = await deployModels(request([isbn]), deps());
    const [book] = result.results;
    expect(book).toMatchObject({
      isbn,
      version: v3,
      previousVersion: '2',
      deployed: true,
      blockedBy: [],
      highRisk: false,
    });
    expect(book!.gates.every((g) => g.passed)).toBe(true);
    expect((await world.serving.getServing(isbn))!.deployments).toEqual([
      expect.objectContaining({ version: '1', trafficPercent: 0 }),
      expect.objectContaining({ version: '2', trafficPercent: 0 }),
      expect.objectContaining({ version: '3', trafficPercent: 100 }),
    ]);
    expect(await world.registry.getAlias(isbn, 'production')).toBe(v3);
    const [msg] = await world.drain('model-deployments');
    expect(ModelDeployed.parse(msg!.data)).toMatchObject({
      isbn,
      version: v3,
      previousVersion: '2',
      environment: 'production',
      deployedBy: 'alice',
    });
    expect(msg!.attributes.correlationId).toBe('corr-deploy');
    const history = await world.state.query<RollbackLease>(COLLECTIONS.rollbackLeases);
    expect(history.flatMap((d) => d.data.servingHistory ?? []).map((h) => [h.version, h.via])).toContainEqual(
      [v3, 'deploy'],
    );
    expect((await world.drain('model-lifecycle')).map((m) => (m.data as { type: string }).type)).toEqual([
      'model.deployed',
    ]);
  });

  it('blocks a dirty, inaccurate version, names every failing gate and leaves the book as it was', async () => {
    const isbn = await world.aBook(2);
    const series = world.sales.series.get(isbn)!;
    const points = series.points.slice(0, -30);
    points.push({ ...points[10]! }, { weekEnding: addWeeks(points.at(-1)!.weekEnding, 1), volume: -4 });
    world.sales.series.set(isbn, { ...series, points });
    const bad = await world.addVersion(isbn, { rmse: 95, mape: 44, dataHash: 'sha256:stale' });
    const result = await deployModels(request([isbn], { version: bad }), deps());
    const [book] = result.results;
    expect(result.deployed).toBe(false);
    expect(book!.blockedBy).toEqual([
      'data.duplicate-weeks',
      'data.missing-weeks',
      'data.negative-sales',
      'data.hash',
      'metrics.rmse',
      'metrics.mape',
      'metrics.regression',
      'approval',
    ]);
    expect(gate(book!, 'metrics.rmse').detail).toBe('holdout RMSE 95 is not below the production limit 80');
    expect(gate(book!, 'data.negative-sales').detail).toMatch(
      /1 weeks with negative or unreadable sales: 2024-\d\d-\d\d \(-4\)/,
    );
    // The candidate was staged at 0 % to look at its forecast, and taken off again.
    expect((await world.serving.getServing(isbn))!.deployments.map((d) => d.version)).toEqual(['1', '2']);
    expect(await world.registry.getAlias(isbn, 'production')).toBe('2');
    expect(await world.drain('model-deployments')).toEqual([]);
  });

  it('needs --force for a quarantined version', async () => {
    const isbn = await world.aBook(2);
    const v3 = await world.addVersion(isbn);
    await world.registry.setQuarantine(isbn, v3, {
      reason: 'post-deploy validation failed: values',
      at: NOW,
      by: 'post-deploy-validation',
    });
    const refused = await deployModels(request([isbn]), deps());
    expect(refused.results[0]!.blockedBy).toEqual(['quarantine']);
    expect(gate(refused.results[0]!, 'quarantine').detail).toContain('pass --force');
    const forced = await deployModels(request([isbn], { force: true }), deps());
    expect(forced.results[0]!.deployed).toBe(true);
    expect(gate(forced.results[0]!, 'quarantine').detail).toContain('deployed anyway with --force');
  });

  it('holds a high-risk change for approval, then records who approved it and when', async () => {
    const books = [await world.aBook(1), await world.aBook(1), await world.aBook(1)];
    for (const isbn of books) await world.addVersion(isbn);
    const policy = { maxBooksWithoutApproval: 2 };
    const held = await deployModels(request(books), deps({ policy }));
    expect(held.deployed).toBe(false);
    for (const r of held.results) {
      expect(r.blockedBy).toEqual(['approval']);
      expect(gate(r, 'approval').detail).toBe(
        'high-risk change (3 books at once (more than 2)) needs an approval: --approve --by NAME',
      );
    }
    expect(await world.state.query(COLLECTIONS.approvals)).toEqual([]);

    const approved = await deployModels(request(books, { approval: { by: 'Ola Editor' } }), deps({ policy }));
    expect(approved.deployed).toBe(true);
    const docs = await world.state.query<Approval>(COLLECTIONS.approvals);
    expect(docs).toHaveLength(1);
    expect(Approval.parse(docs[0]!.data)).toEqual({
      id: approved.approval!.id,
      isbns: books,
      version: '2',
      approvedBy: 'Ola Editor',
      approvedAt: NOW,
      reason: '3 books at once (more than 2)',
      deployedBy: 'alice',
      selfApproved: false,
    });
    expect(gate(approved.results[0]!, 'approval').detail).toContain(`approved by Ola Editor at ${NOW}`);
  });

  describe('self-approval: an approval by the deployer says so in the record', () => {
    const policy = { maxBooksWithoutApproval: 1 };
    async function approve(over: Partial<DeployRequest>) {
      const books = [await world.aBook(1), await world.aBook(1)];
      for (const isbn of books) await world.addVersion(isbn);
      const result = await deployModels(request(books, over), deps({ policy }));
      expect(result.deployed).toBe(true);
      const stored = await world.state.get<Approval>(COLLECTIONS.approvals, result.approval!.id);
      return { result, stored: Approval.parse(stored?.data) };
    }

    it("the deployer's own name as --by: selfApproved, saying why", async () => {
      const { result, stored } = await approve({ deployedBy: 'alice', approval: { by: ' Alice ' } });
      expect(stored).toMatchObject({
        approvedBy: 'Alice',
        deployedBy: 'alice',
        selfApproved: true,
        selfApprovedBecause: 'the approver (Alice) is the deployer (alice)',
      });
      expect(result.approval).toEqual(stored);
    });

    it('another name but the same verified credentials: selfApproved, naming the identity', async () => {
      const { stored } = await approve({
        deployedBy: 'alice',
        verifiedDeployer: 'alice@corp.example',
        approval: { by: 'Ola Editor', verifiedIdentity: 'alice@corp.example' },
      });
      expect(stored).toMatchObject({
        approvedBy: 'Ola Editor',
        verifiedApprover: 'alice@corp.example',
        selfApproved: true,
        selfApprovedBecause:
          'the same credentials (alice@corp.example) deployed and approved; the approver named is Ola Editor',
      });
    });

    it('another name and no shared identity: not a self-approval', async () => {
      const { stored } = await approve({ deployedBy: 'alice', approval: { by: 'Ola Editor' } });
      expect(stored).toMatchObject({ approvedBy: 'Ola Editor', deployedBy: 'alice', selfApproved: false });
      expect(stored.selfApprovedBecause).toBeUndefined();
    });
  });

  it('bakes a canary and promotes a version no worse on live sales', async () => {
    const isbn = await world.aBook(2);
    const series = world.sales.series.get(isbn)!;
    const actuals = [1, 2, 3, 4].map((w) => ({ weekEnding: addWeeks(TRAINED_THROUGH, w), volume: 108 }));
    world.sales.series.set(isbn, { ...series, points: [...series.points, ...actuals] });
    const v3 = await world.addVersion(isbn);
    const result = await deployModels(
      request([isbn], { canary: { percent: 20, bakeMs: 0, requestsPerTick: 50 } }),
      deps(),
    );
    const canary = result.results[0]!.canary!;
    expect(canary.decision).toBe('promote');
    expect(canary.baseline).toMatchObject({ version: '2', trafficPercent: 80 });
    expect(canary.canary).toMatchObject({ version: v3, trafficPercent: 20, errors: 0 });
    expect(canary.baseline.requests + canary.canary.requests).toBe(50);
    expect(canary.canary.requests).toBeGreaterThan(0);
    expect(canary.canary.accuracy).toMatchObject({ weeks: 4 });
    expect(await world.registry.getAlias(isbn, 'production')).toBe(v3);
    expect(
      (await world.drain('model-deployments')).map((m) => (m.data as { version: string }).version),
    ).toEqual([v3]);
  });

  it('demotes a canary whose forecast is far off the serving version, with a warning', async () => {
    const isbn = await world.aBook(2);
    const f = aForecast({ level: 110, trend: 0 });
    const x10 = (xs: number[]) => xs.map((x) => x * 10);
    const bad = await world.addVersion(isbn, {
      forecast: { mean: x10(f.mean), lower: x10(f.lower), upper: x10(f.upper) },
    });
    const result = await deployModels(request([isbn], { canary: { percent: 10, bakeMs: 0 } }), deps());
    const book = result.results[0]!;
    expect(book.deployed).toBe(false);
    expect(book.canary!.decision).toBe('demote');
    expect(book.canary!.reason).toContain('median forecast is 10 ×');
    expect(
      (await world.serving.getServing(isbn))!.deployments.find((d) => d.version === bad)!.trafficPercent,
    ).toBe(0);
    expect(await world.registry.getAlias(isbn, 'production')).toBe('2');
    const alerts = await world.drain('alerts');
    expect(alerts.map((a) => a.data)).toEqual([
      expect.objectContaining({ kind: 'deployment_failed', severity: 'warning', isbn }),
    ]);
    expect(await world.drain('model-deployments')).toEqual([]);
  });
});
