/**
 * The registry consistency check over the whole fleet (part of
 * `validate --all`): reads every registered book's versions, production
 * alias, endpoint and last-known-good pointer, and judges them with
 * `registryConsistencyChecks`.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { LastKnownGood } from '../../contracts/documents/last-known-good';
import type { ValidationCheck } from '../../domain/validation/check';
import {
  registryConsistencyChecks,
  type BookRegistryState,
} from '../../domain/validation/registry-consistency';
import { PRODUCTION_ALIAS } from '../../ports/model-registry';
import { mapLimit, validationOptions, type ValidationDeps } from './deps';

/** Every registered book as the consistency check sees it. */
export async function readRegistryStates(
  deps: Pick<ValidationDeps, 'registry' | 'serving' | 'state' | 'options'>,
  isbns?: readonly string[],
): Promise<BookRegistryState[]> {
  const books = isbns ?? (await deps.registry.listModels());
  const lkgs = new Map(
    (await deps.state.query<LastKnownGood>(COLLECTIONS.lastKnownGood)).map((d) => [d.id, d.data.version]),
  );
  return mapLimit(books, validationOptions(deps).concurrency, async (isbn) => {
    const [versions, alias, serving] = await Promise.all([
      deps.registry.listVersions(isbn),
      deps.registry.getAlias(isbn, PRODUCTION_ALIAS),
      deps.serving.getServing(isbn),
    ]);
    const book: BookRegistryState = {
      isbn,
      versions: versions.map((v) => ({ version: v.version, quarantined: v.quarantine !== undefined })),
      serving: serving ?? null,
    };
    if (alias !== undefined) book.productionAlias = alias;
    const lkg = lkgs.get(isbn);
    if (lkg !== undefined) book.lastKnownGood = lkg;
    return book;
  });
}

/** The `registry.*` and `config.thresholds` checks for the fleet (or the named books). */
export async function checkRegistryConsistency(
  deps: Pick<ValidationDeps, 'registry' | 'serving' | 'state' | 'options' | 'environment' | 'overrides'>,
  isbns?: readonly string[],
): Promise<ValidationCheck[]> {
  const books = await readRegistryStates(deps, isbns);
  return registryConsistencyChecks(books, {
    environment: deps.environment,
    ...(deps.overrides ? { overrides: deps.overrides } : {}),
  });
}
