/**
 * Planning a gated deployment (plan, then act): from what is known about a
 * candidate version — its quarantine mark, its training window's data
 * quality, its holdout metrics against the thresholds and against the
 * version serving now, its ARIMA sanity — decide every gate, whether the
 * change is high-risk (more books at once than the policy allows, or worse
 * metrics than what serves) and so needs a recorded approval, and whether
 * the deployment is blocked. Pure; the deploy service gathers and acts.
 */
import type { Environment } from '../../contracts/primitives';
import type { Thresholds } from '../thresholds';
import { accuracyChecks, regressionCheck, worseThan, type VersionFigures } from './accuracy';
import { check, type ValidationCheck } from './check';

export interface RiskPolicy {
  /** Deploying more books than this in one go needs an approval. */
  maxBooksWithoutApproval: number;
}

export const DEFAULT_RISK_POLICY: Readonly<RiskPolicy> = Object.freeze({ maxBooksWithoutApproval: 10 });

export interface DeployGateInput {
  isbn: string;
  environment: Environment;
  candidate: VersionFigures & { quarantine?: { reason: string; at: string; by: string } };
  /** The version serving the book now; absent for a first deployment. */
  serving?: VersionFigures;
  thresholds: Pick<Thresholds, 'rmseMax' | 'mapeMax' | 'degradationMaxPct'>;
  /** `data.*` gates of the training window. */
  dataQuality: readonly ValidationCheck[];
  /** `arima.*` sanity gates. */
  sanity: readonly ValidationCheck[];
  /** What drives the forecast, in words (always passes; it is for the reviewer). */
  explanation?: string;
  /** How many books this deployment changes. */
  booksInDeployment: number;
  policy?: Partial<RiskPolicy>;
  /** `--force`: deploy a quarantined version anyway. */
  force?: boolean;
  /** A recorded approval covering this deployment. */
  approval?: { by: string; at: string; id?: string };
}

export interface DeploymentPlan {
  isbn: string;
  version: string;
  gates: ValidationCheck[];
  /** Some gate failed: the version must not be deployed. */
  blocked: boolean;
  /** The failing gates' names. */
  blockedBy: string[];
  highRisk: boolean;
  riskReasons: string[];
  /** Blocked only because an approval is missing: `--approve --by NAME` would let it through. */
  awaitingApproval: boolean;
}

/** Every gate for one book's deployment, in the order a reviewer reads them. */
export function planDeployment(input: DeployGateInput): DeploymentPlan {
  const policy = { ...DEFAULT_RISK_POLICY, ...input.policy };
  const { candidate, serving, environment } = input;
  const gates: ValidationCheck[] = [];

  const q = candidate.quarantine;
  gates.push(
    !q
      ? check('quarantine', true, `version ${candidate.version} is not quarantined`)
      : input.force
        ? check(
            'quarantine',
            true,
            `version ${candidate.version} is quarantined (${q.reason}); deployed anyway with --force`,
          )
        : check(
            'quarantine',
            false,
            `version ${candidate.version} is quarantined since ${q.at} by ${q.by}: ${q.reason}; pass --force to deploy it anyway`,
          ),
  );
  gates.push(...input.dataQuality);
  gates.push(...accuracyChecks(candidate, input.thresholds, environment, 'metrics'));
  gates.push(regressionCheck(candidate, serving, input.thresholds, environment, 'metrics.regression'));
  gates.push(...input.sanity);
  if (input.explanation) gates.push(check('explanation', true, input.explanation));

  const riskReasons: string[] = [];
  if (input.booksInDeployment > policy.maxBooksWithoutApproval) {
    riskReasons.push(
      `${input.booksInDeployment} books at once (more than ${policy.maxBooksWithoutApproval})`,
    );
  }
  if (serving && serving.version !== candidate.version) riskReasons.push(...worseThan(candidate, serving));
  const highRisk = riskReasons.length > 0;
  const approval = input.approval;
  gates.push(
    !highRisk
      ? check('approval', true, 'not needed: not a high-risk change')
      : approval
        ? check(
            'approval',
            true,
            `high-risk change (${riskReasons.join('; ')}) approved by ${approval.by} at ${approval.at}${approval.id ? ` (${approval.id})` : ''}`,
          )
        : check(
            'approval',
            false,
            `high-risk change (${riskReasons.join('; ')}) needs an approval: --approve --by NAME`,
          ),
  );

  const blockedBy = gates.filter((g) => !g.passed).map((g) => g.name);
  return {
    isbn: input.isbn,
    version: candidate.version,
    gates,
    blocked: blockedBy.length > 0,
    blockedBy,
    highRisk,
    riskReasons,
    awaitingApproval: blockedBy.length === 1 && blockedBy[0] === 'approval',
  };
}
