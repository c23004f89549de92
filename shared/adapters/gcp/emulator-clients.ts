/**
 * The client settings that point Google's Firestore and Pub/Sub libraries at
 * an emulator given by host:port, the same way the libraries point themselves
 * at FIRESTORE_EMULATOR_HOST / PUBSUB_EMULATOR_HOST: plain-text gRPC, no
 * credentials. The adapters use them, and so do tests that open a raw client.
 *
 * Both also name Google's default universe domain. Before opening a channel,
 * google-gax asks google-auth-library which universe the credentials belong
 * to; with none configured, google-auth goes looking for credentials and
 * probes the GCE metadata server (169.254.169.254), which off Google Cloud
 * fails or waits for a timeout and warns (MetadataLookupWarning). That is the
 * probe METADATA_SERVER_DETECTION=none used to switch off for a whole process.
 */
const DEFAULT_UNIVERSE = 'googleapis.com';

/**
 * Firestore: `ssl: false` is what the SDK sets for FIRESTORE_EMULATOR_HOST; it
 * also makes the SDK send `Authorization: Bearer owner`, the emulator's admin.
 * The SDK lets FIRESTORE_EMULATOR_HOST in the environment win over `host`.
 */
export function firestoreEmulatorSettings(host: string): {
  host: string;
  ssl: false;
  universeDomain: string;
} {
  return { host, ssl: false, universeDomain: DEFAULT_UNIVERSE };
}

/** Pub/Sub: the library's own emulator mode (insecure channel credentials); `apiEndpoint` wins over the environment. */
export function pubsubEmulatorOptions(host: string): {
  apiEndpoint: string;
  emulatorMode: true;
  universeDomain: string;
} {
  return { apiEndpoint: host, emulatorMode: true, universeDomain: DEFAULT_UNIVERSE };
}
