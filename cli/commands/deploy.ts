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
import { FLAGS } from '../flag-table';
import { required } from '../flags';
import { cliLogger } from '../logger';
import { helpOf } from './help-table';

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

/** Each book's gates (and canary arms), then a warning for a self-approval. */
function printDeployments(ctx: CommandContext, result: Awaited<ReturnType<typeof deployModels>>): void {
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
}

export const deployCommand: Command = {
  ...helpOf('deploy'),
  async run(ctx): Promise<ExitCode> {
    const isbns = ctx.flag(FLAGS.deployIsbns);
    if (isbns.length === 0) throw new UsageError('--isbn is required', ['isbn']);
    const version = required(ctx.flag(FLAGS.modelVersion), FLAGS.modelVersion, 'a number or latest');
    const by = ctx.flag(FLAGS.by);
    const approving = ctx.flag(FLAGS.approve);
    if (approving && by === undefined) {
      throw new UsageError('--approve needs --by NAME: an approval records who gave it', ['by']);
    }
    const percent = ctx.flag(FLAGS.canaryPercent);
    const bakeSeconds = ctx.flag(FLAGS.bake);
    const maxBooks = ctx.flag(FLAGS.maxBooks);
    const reason = ctx.flag(FLAGS.reason);
    // One command deploys and approves, with one set of credentials: both are that identity.
    const verified = approving ? await verifiedIdentity(ctx) : undefined;
    const result = await withBackend(ctx, (backend) => {
      const request: DeployRequest = {
        isbns,
        version,
        force: ctx.flag(FLAGS.deployForce),
        ...(approving && by !== undefined
          ? {
              approval: {
                by,
                ...(reason ? { reason } : {}),
                ...(verified ? { verifiedIdentity: verified } : {}),
              },
            }
          : {}),
        ...(ctx.flag(FLAGS.canary) ? { canary: { percent, bakeMs: bakeSeconds * 1000 } } : {}),
        // --by names the approver; the deployer is whoever runs the command.
        deployedBy: ctx.env.USER ?? ctx.env.USERNAME ?? by ?? 'cli',
        ...(verified ? { verifiedDeployer: verified } : {}),
        correlationId: newCorrelationId(randomIds),
      };
      return deployModels(request, {
        ...backend,
        ids: randomIds,
        logger: cliLogger(ctx.out, backend.config, 'deploy-cli'),
        environment: ctx.flag(FLAGS.environment) ?? backend.config.environment,
        overrides: backend.config.thresholds.overrides,
        policy: { maxBooksWithoutApproval: maxBooks },
      });
    });
    printDeployments(ctx, result);
    const docs = result.results.map(bookDocument);
    ctx.out.result(docs.length === 1 ? docs[0] : { deployed: result.deployed, results: docs });
    return result.deployed ? EXIT.ok : EXIT.problem;
  },
};
