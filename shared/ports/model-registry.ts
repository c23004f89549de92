/**
 * ModelRegistry: one registered model per book (ISBN-13), its versions,
 * aliases and quarantine marks. Vertex AI Model Registry, MLflow, or SQLite.
 *
 * Semantics every adapter keeps (test/contract/model-registry.contract.ts):
 * version ids are decimal strings that increase per ISBN; an alias names at
 * most one version of a book and moving it is one step; bad ISBNs and bad
 * registrations are ValidationErrors naming the field.
 */
import type { ModelVersion, NewModelVersionInput, Quarantine, RegistryPing } from '../contracts/model';

/** The alias that marks the version in production. */
export const PRODUCTION_ALIAS = 'production';

export type { RegistryPing };

export interface ModelRegistry {
  /** One cheap read that proves the registry answers, timed. Never throws: a failure is `ok: false`. */
  ping(): Promise<RegistryPing>;
  /** ISBNs that have a registered model. */
  listModels(): Promise<string[]>;
  /** Every version of one book, oldest first. Unknown ISBN → NotFoundError (naming that ISBN only). */
  listVersions(isbn: string): Promise<ModelVersion[]>;
  /** Unknown ISBN or version → undefined. */
  getVersion(isbn: string, version: string): Promise<ModelVersion | undefined>;
  /** The version an alias points at, if any. */
  getAlias(isbn: string, alias: string): Promise<string | undefined>;
  /**
   * Moves an alias to a version in one step (an alias names at most one
   * version). Unknown version → NotFoundError listing the versions there are.
   * Vertex AI's own `default` alias is not for callers to move.
   */
  setAlias(isbn: string, alias: string, version: string): Promise<void>;
  /** Removes an alias; removing one that is not set is a no-op (retries are safe). */
  deleteAlias(isbn: string, alias: string): Promise<void>;
  /** Marks (or with `undefined`, clears) a version as quarantined. Unknown version → NotFoundError. */
  setQuarantine(isbn: string, version: string, quarantine: Quarantine | undefined): Promise<void>;
  /**
   * Registers a new version with its stored forecast (the artifact) and
   * returns it with the next id for that ISBN. Bad input → ValidationError
   * naming each field; `createdAt` left out → the registry's time.
   */
  registerVersion(input: NewModelVersionInput): Promise<ModelVersion>;
}
