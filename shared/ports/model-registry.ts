/**
 * ModelRegistry: one registered model per book (ISBN-13), its versions,
 * aliases and quarantine marks. Vertex AI Model Registry, MLflow, or SQLite.
 */
import type { ModelVersion, NewModelVersion, Quarantine } from '../contracts/model';

/** The alias that marks the version in production. */
export const PRODUCTION_ALIAS = 'production';

export interface RegistryPing {
  ok: boolean;
  latencyMs: number;
  detail?: string;
}

export interface ModelRegistry {
  /** One cheap call that proves the registry answers. */
  ping(): Promise<RegistryPing>;
  /** ISBNs that have a registered model. */
  listModels(): Promise<string[]>;
  /** Every version of one book, oldest first. Unknown ISBN → NotFoundError. */
  listVersions(isbn: string): Promise<ModelVersion[]>;
  getVersion(isbn: string, version: string): Promise<ModelVersion | undefined>;
  /** The version an alias points at, if any. */
  getAlias(isbn: string, alias: string): Promise<string | undefined>;
  /** Moves an alias to a version (an alias names at most one version). */
  setAlias(isbn: string, alias: string, version: string): Promise<void>;
  deleteAlias(isbn: string, alias: string): Promise<void>;
  /** Marks (or with `undefined`, clears) a version as quarantined. */
  setQuarantine(isbn: string, version: string, quarantine: Quarantine | undefined): Promise<void>;
  /** Registers a new version and returns it with its assigned id. */
  registerVersion(input: NewModelVersion): Promise<ModelVersion>;
}
