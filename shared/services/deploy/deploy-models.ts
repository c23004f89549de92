/**
 * `deploy`: gated deployment of one version to one or more books.
 *
 * 1. Gather and plan each book: quarantine (unless `force`), the training
 *    window's data quality, holdout metrics against the environment's
 *    thresholds and against the serving version, ARIMA sanity; the
 *    explanation rides along for the reviewer.
 * 2. High-risk changes (more books than the policy allows, or worse metrics
 *    than what serves) need an approval; when one is given it is recorded
 *    (who, when, why) and the books are planned again with it.
 * 3. Each book that passes every gate is switched — at once, or through a
 *    canary that is promoted or demoted automatically — and announced on
 *    `model-deployments`, which starts post-deploy validation. A blocked
 *    book is left exactly as it was, every failing gate named.
 */
import type { Approval } from '../../contracts/documents/approval';
import { thresholdsFor } from '../../domain/thresholds';
import { planDeployment, type DeploymentPlan } from '../../domain/validation/deploy-gates';
import type { ValidationCheck } from '../../domain/validation/check';
import { ValidationError } from '../../errors';
import { recordApproval } from './approvals';
import { runCanary, type CanaryResult } from './canary-run';
import type { DeployDeps, DeployRequest } from './deps';
import { gatherBook, unstage, type GatheredBook } from './gather';
import { switchTo } from './switch';

export interface BookDeployment {
  isbn: string;
  version: string;
  /** What served before. */
  previousVersion?: string;
  gates: ValidationCheck[];
  deployed: boolean;
  blockedBy: string[];
  highRisk: boolean;
  riskReasons: string[];
  approval?: Approval;
  canary?: CanaryResult;
  /** The ModelDeployed message, when the version was switched in. */
  messageId?: string;
  note?: string;
}

export interface DeployResult {
  deployed: boolean;
  results: BookDeployment[];
  approval?: Approval;
}

export async function deployModels(request: DeployRequest, deps: DeployDeps): Promise<DeployResult> {
  if (request.isbns.length === 0) throw new ValidationError('name at least one book with --isbn', ['isbn']);
  const isbns = [...new Set(request.isbns)];
  const log = deps.logger.child({ correlationId: request.correlationId });
  const timer = log.startTimer('deploy', { books: isbns.length, version: request.version });

  const books: GatheredBook[] = [];
  for (const isbn of isbns) books.push(await gatherBook(isbn, request.version, deps));
  const plan = (book: GatheredBook, approval?: Approval): DeploymentPlan =>
    planDeployment({
      isbn: book.isbn,
      environment: deps.environment,
      candidate: {
        version: book.candidate.version,
        metrics: book.candidate.metrics,
        ...(book.candidate.quarantine ? { quarantine: book.candidate.quarantine } : {}),
      },
      ...(book.current ? { serving: { version: book.current.version, metrics: book.current.metrics } } : {}),
      thresholds: thresholdsFor(deps.environment, book.isbn, deps.overrides),
      dataQuality: book.dataQuality,
      sanity: book.sanity,
      explanation: book.explanation,
      booksInDeployment: isbns.length,
      ...(deps.policy ? { policy: deps.policy } : {}),
      force: request.force === true,
      ...(approval
        ? { approval: { by: approval.approvedBy, at: approval.approvedAt, id: approval.id } }
        : {}),
    });
  let plans = books.map((b) => plan(b));

  let approval: Approval | undefined;
  const waiting = plans.filter((p) => p.awaitingApproval);
  if (request.approval && waiting.length > 0) {
    const versions = [...new Set(waiting.map((p) => p.version))];
    approval = await recordApproval(
      {
        isbns: waiting.map((p) => p.isbn),
        ...(versions.length === 1 ? { version: versions[0] } : {}),
        by: request.approval.by,
        reason: request.approval.reason ?? [...new Set(waiting.flatMap((p) => p.riskReasons))].join('; '),
        deployedBy: request.deployedBy,
        ...(request.approval.verifiedIdentity ? { verifiedApprover: request.approval.verifiedIdentity } : {}),
        ...(request.verifiedDeployer ? { verifiedDeployer: request.verifiedDeployer } : {}),
      },
      deps,
    );
    log.notice(`high-risk deployment approved by ${approval.approvedBy}`, {
      approvalId: approval.id,
      isbns: approval.isbns,
      selfApproved: approval.selfApproved,
      ...(approval.verifiedApprover ? { verifiedApprover: approval.verifiedApprover } : {}),
    });
    if (approval.selfApproved) {
      log.warning(`approval ${approval.id} is a self-approval: ${approval.selfApprovedBecause ?? ''}`);
    }
    plans = books.map((b, i) => (plans[i]!.awaitingApproval ? plan(b, approval) : plans[i]!));
  }

  const results: BookDeployment[] = [];
  for (const [i, book] of books.entries()) {
    const p = plans[i]!;
    const result: BookDeployment = {
      isbn: book.isbn,
      version: book.candidate.version,
      ...(book.current ? { previousVersion: book.current.version } : {}),
      gates: p.gates,
      deployed: false,
      blockedBy: p.blockedBy,
      highRisk: p.highRisk,
      riskReasons: p.riskReasons,
      ...(approval && approval.isbns.includes(book.isbn) ? { approval } : {}),
    };
    if (p.blocked) {
      await unstage(book, deps);
      result.note = `blocked by ${p.blockedBy.join(', ')}; nothing changed`;
    } else if (request.canary && book.current && book.current.version !== book.candidate.version) {
      result.canary = await runCanary(book.isbn, book.current, book.candidate, request.canary, request, deps);
      result.deployed = result.canary.decision === 'promote';
      if (result.canary.messageId) result.messageId = result.canary.messageId;
      result.note = `canary ${result.canary.decision}d: ${result.canary.reason}`;
    } else {
      result.messageId = await switchTo(
        book.isbn,
        book.candidate.version,
        book.current?.version,
        request,
        deps,
      );
      result.deployed = true;
      result.note = request.canary
        ? 'no serving version to compare a canary with: switched at once'
        : 'switched';
    }
    results.push(result);
  }
  timer.end({
    deployed: results.filter((r) => r.deployed).length,
    blocked: results.filter((r) => r.blockedBy.length).length,
  });
  return { deployed: results.every((r) => r.deployed), results, ...(approval ? { approval } : {}) };
}
