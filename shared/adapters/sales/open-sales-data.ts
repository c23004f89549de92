/**
 * The one place that turns FG_SALES_URI into a SalesData (docs/sales-data.md):
 * - gs://bucket/object or gs://bucket/prefix/ → Cloud Storage, read in per-book slices;
 * - bq://project.dataset.table → BigQuery, one parameterised query per book;
 * - a local file or folder → the same sliced reader over the file system;
 * - unset → `<FG_STATE_DIR>/sales.csv` on the embedded backend only. With
 *   FG_BACKEND=gcp (and a Google model world) it is a ConfigError: a deployed
 *   system must never fall back to a local file without saying so.
 */
import { join } from 'node:path';
import type { Config } from '../../config';
import { ConfigError } from '../../errors';
import { systemClock, type Clock } from '../../ports/clock';
import type { SalesData } from '../../ports/sales-data';
import { CsvSalesData } from '../local/csv-sales-data';
import { LocalObjectStore } from './local-object-store';
import { SlicedSalesData } from './sliced-sales-data';
import type * as StorageSdk from '@google-cloud/storage';
import type * as GcsStore from '../gcp/gcs-object-store';
import type * as BigQuerySales from '../gcp/bigquery-sales-data';

const SALES_CSV_FILE = 'sales.csv'; // shared/wiring/backend.ts SALES_CSV_FILE: the same file

export interface OpenSalesDataOptions {
  clock?: Clock;
}

/**
 * True when the model world is the embedded one: FG_BACKEND=local, or
 * `up --emulators` (Google's Firestore/Pub/Sub emulators beside the embedded
 * registry), the same rule shared/wiring/backend.ts applies.
 */
function embeddedWorld(config: Config): boolean {
  return (
    config.backend === 'local' ||
    (config.registry === 'local' && Boolean(config.gcp.emulators.pubsub || config.gcp.emulators.firestore))
  );
}

/**
 * A custom apiEndpoint (STORAGE_EMULATOR_HOST) is a local server: the client
 * then sends no credentials and never asks Google or the metadata server for any.
 */
function storageOptions(config: Config): StorageSdk.StorageOptions {
  const endpoint = config.gcp.emulators.storage;
  return {
    ...(config.gcp.projectId ? { projectId: config.gcp.projectId } : {}),
    ...(endpoint ? { apiEndpoint: endpoint } : {}),
  };
}

export function openSalesData(config: Config, options: OpenSalesDataOptions = {}): SalesData {
  const clock = options.clock ?? systemClock;
  const uri = config.sales.uri;
  const sliced = { clock, columns: config.sales.columns };
  if (uri === undefined) {
    if (!embeddedWorld(config))
      throw new ConfigError(
        'FG_SALES_URI is required when FG_BACKEND=gcp: set it to gs://bucket/raw_data/UK_weekly_data.csv, a gs://bucket/prefix/ of drops or bq://project.dataset.table (a local sales.csv is never used silently)',
        'FG_SALES_URI',
      );
    return new CsvSalesData(join(config.stateDir, SALES_CSV_FILE));
  }
  if (uri.startsWith('gs://')) {
    // Required here, not imported at the top: the storage client costs start-up time every process would pay.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Storage } = require('@google-cloud/storage') as typeof StorageSdk;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GcsObjectStore } = require('../gcp/gcs-object-store') as typeof GcsStore;
    const storage = new Storage(storageOptions(config));
    return new SlicedSalesData(new GcsObjectStore(uri, { storage }), sliced);
  }
  if (uri.startsWith('bq://')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openBigQuerySalesData } = require('../gcp/bigquery-sales-data') as typeof BigQuerySales;
    return openBigQuerySalesData(uri, { projectId: config.gcp.projectId, columns: config.sales.columns });
  }
  return new SlicedSalesData(new LocalObjectStore(uri), sliced);
}
