/**
 * @google-cloud/storage pointed at the local Cloud Storage server the way
 * the client documents for emulators: STORAGE_EMULATOR_HOST (the bare
 * http://127.0.0.1:PORT; the client then sends JSON API paths without
 * /storage/v1) and METADATA_SERVER_DETECTION=none so no credentials are
 * looked for. With apiEndpoint alone some calls 404 or 501.
 */
import { Storage } from '@google-cloud/storage';
import type { GcsServer } from './gcs-server';

export function storageFor(server: GcsServer): Storage {
  process.env.STORAGE_EMULATOR_HOST = server.host;
  process.env.METADATA_SERVER_DETECTION = 'none';
  // Retries would turn a refused request into seconds of back-off; every refusal here is deliberate.
  return new Storage({ projectId: 'local-sales', retryOptions: { autoRetry: false } });
}
