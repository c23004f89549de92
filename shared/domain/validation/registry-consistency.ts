/**
 * Registry consistency across the fleet: for every deployed book the
 * production alias, the version taking the traffic and the last-known-good
 * pointer name the same version; no quarantined version serves or holds the
 * alias; every endpoint's split sums to 100 %; and each book's effective
 * thresholds (environment defaults with its override) validate. Pure: the
 * service reads the books.
 */
import type { Environment } from '../../contracts/primitives';
import type { ServingState } from '../../contracts/model';
import { compareVersions } from '../traffic';
import { Thresholds, thresholdsFor, type ThresholdOverrides } from '../thresholds';
import { check, listSome, type ValidationCheck } from './check';

/** One book as the registry, the endpoint and the StateStore see it. */
export interface BookRegistryState {
  isbn: string;
  versions: ReadonlyArray<{ version: string; quarantined: boolean }>;
  productionAlias?: string;
  serving: ServingState | null;
  lastKnownGood?: string;
}

/** The version taking the most traffic (the lowest id on a tie); undefined when none takes any. */
export function servingVersionOf(serving: ServingState | null | undefined): string | undefined {
  const live = (serving?.deployments ?? []).filter((d) => d.trafficPercent > 0);
  live.sort((a, b) => b.trafficPercent - a.trafficPercent || compareVersions(a.version, b.version));
  return live[0]?.version;
}

function rule(name: string, problems: string[], okText: string): ValidationCheck {
  return check(
    name,
    problems.length === 0,
    problems.length === 0 ? okText : `${problems.length} problems: ${listSome(problems, 4)}`,
    problems.length,
  );
}

/** The `registry.*` and `config.thresholds` checks over `books`. */
export function registryConsistencyChecks(
  books: readonly BookRegistryState[],
  config: { environment: Environment; overrides?: ThresholdOverrides },
): ValidationCheck[] {
  const alias: string[] = [];
  const lkg: string[] = [];
  const quarantine: string[] = [];
  const traffic: string[] = [];
  const thresholds: string[] = [];
  let deployed = 0;
  for (const book of books) {
    const byId = new Map(book.versions.map((v) => [v.version, v]));
    const serving = servingVersionOf(book.serving);
    const deployments = book.serving?.deployments ?? [];
    if (deployments.length > 0) {
      const total = deployments.reduce((s, d) => s + d.trafficPercent, 0);
      if (total !== 100) traffic.push(`${book.isbn}: traffic sums to ${total} %`);
    }
    for (const d of deployments) {
      if (d.trafficPercent > 0 && byId.get(d.version)?.quarantined) {
        quarantine.push(`${book.isbn}: quarantined v${d.version} takes ${d.trafficPercent} % of traffic`);
      }
    }
    if (book.productionAlias !== undefined && byId.get(book.productionAlias)?.quarantined) {
      quarantine.push(`${book.isbn}: the production alias names quarantined v${book.productionAlias}`);
    }
    if (serving !== undefined) {
      deployed++;
      if (book.productionAlias !== serving) {
        alias.push(
          `${book.isbn}: alias ${book.productionAlias === undefined ? 'unset' : `v${book.productionAlias}`}, serving v${serving}`,
        );
      }
      if (book.lastKnownGood === undefined) lkg.push(`${book.isbn}: no last-known-good, serving v${serving}`);
      else if (!byId.has(book.lastKnownGood))
        lkg.push(`${book.isbn}: last-known-good v${book.lastKnownGood} is not registered`);
      else if (byId.get(book.lastKnownGood)!.quarantined)
        lkg.push(`${book.isbn}: last-known-good v${book.lastKnownGood} is quarantined`);
      else if (book.lastKnownGood !== serving)
        lkg.push(`${book.isbn}: last-known-good v${book.lastKnownGood}, serving v${serving}`);
    }
    const parsed = Thresholds.safeParse(thresholdsFor(config.environment, book.isbn, config.overrides));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      thresholds.push(`${book.isbn}: ${issue?.path.join('.')} ${issue?.message}`);
    }
  }
  const registered = new Set(books.map((b) => b.isbn));
  const strays = Object.keys(config.overrides ?? {}).filter((isbn) => !registered.has(isbn));
  const n = books.length;
  return [
    rule(
      'registry.alias',
      alias,
      `the production alias names the serving version for all ${deployed} deployed books`,
    ),
    rule(
      'registry.last-known-good',
      lkg,
      `last-known-good is the serving version for all ${deployed} deployed books`,
    ),
    rule(
      'registry.quarantine',
      quarantine,
      'no quarantined version serves traffic or holds the production alias',
    ),
    rule('registry.traffic', traffic, 'every endpoint splits exactly 100 % of its traffic'),
    rule(
      'config.thresholds',
      thresholds,
      `thresholds validate for all ${n} books in ${config.environment}${strays.length ? `; overrides for unregistered ISBNs: ${listSome(strays)}` : ''}`,
    ),
  ];
}
