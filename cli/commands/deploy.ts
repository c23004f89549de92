/**
 * `deploy --isbn X --model-version N|latest [--environment E]`: gated
 * deployment. Data quality, metrics, ARIMA sanity and quarantine are gates;
 * a high-risk change needs `--approve --by NAME` (recorded with who and
 * when, who deployed — $USER — and, on Google Cloud, the identity of the
 * credentials; an approval by the deployer's own name or credentials is
 * recorded as `selfApproved` and warned about); `--force` deploys a
 * quarantined version; `--canary` gives the new
 * version a share of traffic for a bake period and promotes or demotes it
 * automatically. Exit 0 deployed, 1 blocked or demoted (each failing gate
 * named), 2 bad input.
 */
import { describeError } from '../../shared/errors';
import { newCorrelationId } from '../../shared/logging/correlation';
import { randomIds } from '../../shared/ports/clock';
import { deployModels, type BookDeployment, type DeployRequest } from '../../shared/services/deploy';
import { withBackend } from '../backend';
import type { Command, CommandContext } from '../command';
import { EXIT, UsageError, type ExitCode } from '../exit-codes';
import { cliLogger, environmentFlag } from './validate';

const USAGE =
  'deploy --isbn X... --model-version N|latest [--environment E] [--force] [--approve --by NAME [--reason TEXT]] [--canary [--canary-percent P] [--bake S]] [--max-books N]';

function str(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.flags[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function whole(ctx: CommandContext, name: string, min: number, max: number, fallback: number): number {
  const v = str(ctx, name);
  if (v === undefined) return fallback;
  if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${v}")`, [name]);
  }
  return Number(v);
}

function bookDocument(r: BookDeployment) {
  return {
    isbn: r.isbn,
    version: r.version,
    previousVersion: r.previousVersion,
    gates: r.gates,
    deployed: r.deployed,
    blockedBy: r.blockedBy,
    highRisk: r.highRisk,
    riskReasons: r.riskReasons,
    approval: r.approval && {
      id: r.approval.id,
      approvedBy: r.approval.approvedBy,
      approvedAt: r.approval.approvedAt,
      deployedBy: r.approval.deployedBy,
      verifiedApprover: r.approval.verifiedApprover,
      selfApproved: r.approval.selfApproved,
    },
    canary: r.canary,
    messageId: r.messageId,
    note: r.note,
  };
}

/** The credentials' identity, or undefined (said on stderr) when it cannot be established. */
async function verifiedIdentity(ctx: CommandContext): Promise<string | undefined> {
  try {
    return await ctx.identity();
  } catch (err) {
    ctx.out.error(
      `warning: the identity of these credentials could not be established (${describeError(err)}); the approval records only --by`,
    );
    return undefined;
  }
}

export const deployCommand: Command = {
  name: 'deploy',
  summary: 'gated deployment: quality gates, approval for high-risk changes, optional canary',
  usage: USAGE,
  options: {
    isbn: { type: 'string', multiple: true },
    'model-version': { type: 'string' },
    environment: { type: 'string' },
    force: { type: 'boolean' },
    approve: { type: 'boolean' },
    by: { type: 'string' },
    reason: { type: 'string' },
    canary: { type: 'boolean' },
    'canary-percent': { type: 'string' },
    bake: { type: 'string' },
    'max-books': { type: 'string' },
  },
  async run(ctx): Promise<ExitCode> {
    const isbns = ((ctx.flags.isbn as string[] | undefined) ?? []).filter((s) => s !== '');
    if (isbns.length === 0) throw new UsageError('--isbn is required', ['isbn']);
    const version = str(ctx, 'model-version');
    if (version === undefined)
      throw new UsageError('--model-version is required (a number or latest)', ['model-version']);
    const by = str(ctx, 'by');
    if (ctx.flags.approve === true && by === undefined) {
      throw new UsageError('--approve needs --by NAME: an approval records who gave it', ['by']);
    }
    const canary = ctx.flags.canary === true;
    const percent = whole(ctx, 'canary-percent', 1, 99, 10);
    const bakeSeconds = whole(ctx, 'bake', 0, 7 * 24 * 3600, 10);
    const maxBooks = whole(ctx, 'max-books', 1, 100_000, 10);
    const approving = ctx.flags.approve === true;
    // One command deploys and approves, with one set of credentials: both are that identity.
    const verified = approving ? await verifiedIdentity(ctx) : undefined;
    const result = await withBackend(ctx, (backend) => {
      const request: DeployRequest = {
        isbns,
        version,
        force: ctx.flags.force === true,
        ...(approving
          ? {
              approval: {
                by: by!,
                ...(str(ctx, 'reason') ? { reason: str(ctx, 'reason')! } : {}),
                ...(verified ? { verifiedIdentity: verified } : {}),
              },
            }
          : {}),
        ...(canary ? { canary: { percent, bakeMs: bakeSeconds * 1000 } } : {}),
        // --by names the approver; the deployer is whoever runs the command.
        deployedBy: ctx.env.USER ?? ctx.env.USERNAME ?? by ?? 'cli',
        ...(verified ? { verifiedDeployer: verified } : {}),
        correlationId: newCorrelationId(randomIds),
      };
      return deployModels(request, {
        ...backend,
        ids: randomIds,
        logger: cliLogger(ctx, backend, 'deploy-cli'),
        environment: environmentFlag(ctx, backend.config.environment),
        overrides: backend.config.thresholds.overrides,
        policy: { maxBooksWithoutApproval: maxBooks },
      });
    });
    for (const r of result.results) {
      ctx.out.line(`${r.isbn} v${r.version}: ${r.deployed ? 'DEPLOYED' : 'NOT DEPLOYED'} — ${r.note ?? ''}`);
      ctx.out.table(
        r.gates.map((g) => ({ gate: g.name, result: g.passed ? 'pass' : 'FAIL', detail: g.detail })),
        ['gate', 'result', 'detail'],
      );
      if (r.canary) {
        const arm = (a: typeof r.canary.baseline) =>
          `v${a.version} ${a.trafficPercent} %: ${a.requests} requests, ${a.errors} errors, live RMSE ${a.accuracy ? a.accuracy.rmse.toFixed(2) : '-'} over ${a.accuracy?.weeks ?? 0} weeks`;
        ctx.out.line(`  A/B: ${arm(r.canary.baseline)} | ${arm(r.canary.canary)} → ${r.canary.decision}`);
      }
    }
    if (result.approval?.selfApproved) {
      ctx.out.error(
        `warning: approval ${result.approval.id} is a self-approval (${result.approval.selfApprovedBecause ?? 'the approver is the deployer'}); the record says selfApproved: true`,
      );
    }
    const docs = result.results.map(bookDocument);
    ctx.out.result(docs.length === 1 ? docs[0] : { deployed: result.deployed, results: docs });
    return result.deployed ? EXIT.ok : EXIT.problem;
  },
};
