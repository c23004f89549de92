/**
 * Google's client libraries find their emulators only in process.env:
 * @google-cloud/firestore reads FIRESTORE_EMULATOR_HOST, @google-cloud/pubsub
 * PUBSUB_EMULATOR_HOST, @google-cloud/storage STORAGE_EMULATOR_HOST, and
 * gcp-metadata METADATA_SERVER_DETECTION, and the adapters that build those
 * clients (shared/adapters/gcp, shared/adapters/sales/open-sales-data.ts)
 * take no endpoint setting that would replace them. A test pointing them at
 * its own server sets these four here, and nowhere else, and restores them.
 * Everything else a test configures goes through test/helpers/function-env.ts
 * or a child's spawn options.
 */

export type ClientLibraryVariable =
  'FIRESTORE_EMULATOR_HOST' | 'PUBSUB_EMULATOR_HOST' | 'STORAGE_EMULATOR_HOST' | 'METADATA_SERVER_DETECTION';

/** Sets the given client-library variables; returns the function that puts the old values back. */
export function useClientLibraryEnv(vars: Partial<Record<ClientLibraryVariable, string>>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(vars)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
