/**
 * Checks on a plan before anything is changed. `planProblems` lists broken
 * invariants (a bug if ever non-empty: the service refuses to act on such a
 * plan); `refusalError` turns the refusals of a request that named its books
 * into the one error the caller sees, so a bad ISBN or version changes
 * nothing at all. Pure.
 */
import { NotFoundError, ValidationError, type ForecastGuardError } from '../../errors';
import type { RefuseItem, RollbackPlan } from './types';

/** Invariants every plan keeps; empty when the plan is sound. */
export function planProblems(plan: RollbackPlan): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const item of plan.items) {
    if (seen.has(item.isbn)) problems.push(`ISBN ${item.isbn} is planned twice`);
    seen.add(item.isbn);
    if (item.action !== 'switch') continue;
    const total = item.desired.split.reduce((sum, s) => sum + s.trafficPercent, 0);
    if (total !== 100) problems.push(`ISBN ${item.isbn}: the split sums to ${total}, not 100`);
    const top = item.desired.split.find((s) => s.version === item.to);
    if (!top || top.trafficPercent === 0)
      problems.push(`ISBN ${item.isbn}: version ${item.to} gets no traffic`);
    if (plan.kind === 'rollback' && item.desired.productionAlias !== item.to) {
      problems.push(`ISBN ${item.isbn}: the production alias would not name ${item.to}`);
    }
  }
  return problems;
}

const NOT_FOUND: ReadonlySet<RefuseItem['problem']> = new Set(['not-registered', 'unknown-version']);

/** The field a refusal is about, for ValidationError.fields. */
function fieldOf(item: RefuseItem, index: number): string {
  if (item.problem === 'not-served' || item.problem === 'not-registered') return `scope.isbns.${index}`;
  return item.problem === 'unknown-version' || item.problem === 'quarantined' ? 'target.version' : 'target';
}

/**
 * For a plan over named books (`scope.isbns`) or a restore: the error that
 * refuses the whole request when any book is refused, undefined when none
 * is. NotFoundError when every refusal is an unknown ISBN or version;
 * otherwise a ValidationError naming the fields. Fleet-wide plans never
 * refuse as a whole: their refused books are reported one by one.
 */
export function refusalError(plan: RollbackPlan): ForecastGuardError | undefined {
  if (plan.scope === 'all' || plan.scope === 'emergency') return undefined;
  const refused = plan.items
    .map((item, index) => ({ item, index }))
    .filter((r): r is { item: RefuseItem; index: number } => r.item.action === 'refuse');
  if (refused.length === 0) return undefined;
  const message = `rollback refused, nothing was changed: ${refused.map((r) => r.item.reason).join('; ')}`;
  if (refused.every((r) => NOT_FOUND.has(r.item.problem))) return new NotFoundError(message);
  return new ValidationError(message, [...new Set(refused.map((r) => fieldOf(r.item, r.index)))]);
}

/** Counts per action, for summaries. */
export function planCounts(plan: RollbackPlan): { switch: number; skip: number; refuse: number } {
  const counts = { switch: 0, skip: 0, refuse: 0 };
  for (const item of plan.items) counts[item.action] += 1;
  return counts;
}
