/**
 * @google-cloud/storage pointed at the local Cloud Storage server the way
 * the product points it at a STORAGE_EMULATOR_HOST (shared/adapters/sales/open-sales-data.ts):
 * `apiEndpoint` set to the server's base URL. With a custom endpoint the
 * client sends JSON API paths under /storage/v1, asks for no credentials and
 * never probes the metadata server.
 */
import { Storage } from '@google-cloud/storage';
import type { GcsServer } from './gcs-server';

export function storageFor(server: GcsServer): Storage {
  // Retries would turn a refused request into seconds of back-off; every refusal here is deliberate.
  return new Storage({
    projectId: 'local-sales',
    apiEndpoint: server.host,
    retryOptions: { autoRetry: false },
  });
}
