/**
 * @google-cloud/storage pointed at the local Cloud Storage server the way
 * the client documents for emulators: STORAGE_EMULATOR_HOST (the bare
 * http://127.0.0.1:PORT; the client then sends JSON API paths without
 * /storage/v1) and METADATA_SERVER_DETECTION=none so no credentials are
 * looked for. With apiEndpoint alone some calls 404 or 501.
 */
import { Storage } from '@google-cloud/storage';
import { useClientLibraryEnv } from './client-library-env';
import type { GcsServer } from './gcs-server';

export function storageFor(server: GcsServer): Storage {
  // The client reads the endpoint once, when it is built; with a custom endpoint it asks for no credentials.
  const restore = useClientLibraryEnv({
    STORAGE_EMULATOR_HOST: server.host,
    METADATA_SERVER_DETECTION: 'none',
  });
  try {
    // Retries would turn a refused request into seconds of back-off; every refusal here is deliberate.
    return new Storage({ projectId: 'local-sales', retryOptions: { autoRetry: false } });
  } finally {
    restore();
  }
}
