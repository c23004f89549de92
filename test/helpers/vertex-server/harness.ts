/**
 * One local Vertex AI server and one set of real clients per test file:
 * `useLocalVertex()` starts them in `beforeAll` (the first client loads the
 * API's protos, which takes seconds) and stops them in `afterAll`. Each test
 * takes a project of its own with `freshLocation()`, so tests never see each
 * other's resources.
 */
import type { VertexClients } from '../../../shared/adapters/gcp/vertex-clients';
import { createVertexClients } from '../../../shared/adapters/gcp/vertex-clients';
import type { VertexLocation } from '../../../shared/adapters/gcp/vertex-names';
import { uniqueProjectId } from '../emulators';
import type { LocalVertexServer } from './index';
import { startVertexServer } from './index';
import type { WorldOptions } from './world';

export const TEST_LOCATION = 'europe-west2';

export interface LocalVertex {
  readonly server: LocalVertexServer;
  readonly clients: VertexClients;
  /** A project no other test uses, in TEST_LOCATION. */
  freshLocation(): VertexLocation;
}

/** Registers beforeAll/afterAll for the file; read the fields inside tests or `make` functions only. */
export function useLocalVertex(options: WorldOptions = {}): LocalVertex {
  let server: LocalVertexServer | undefined;
  let clients: VertexClients | undefined;
  beforeAll(async () => {
    server = await startVertexServer(options);
    clients = createVertexClients({
      projectId: 'demo-fg-vertex',
      location: TEST_LOCATION,
      apiEndpoint: server.apiEndpoint,
      // The server's operations take a few hundred ms, not minutes: poll sooner than production does.
      lroFirstPollMs: 100,
    });
    // Pays the client's one-time proto loading here, not inside the first test's time.
    await Promise.all([
      clients.model.initialize(),
      clients.endpoint.initialize(),
      clients.prediction.initialize(),
      clients.pipeline.initialize(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await clients?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the local Vertex ${what} is used before beforeAll started it`);
    return value;
  };
  return {
    get server() {
      return started(server, 'server');
    },
    get clients() {
      return started(clients, 'clients');
    },
    freshLocation: () => ({ projectId: uniqueProjectId('demo-vertex'), location: TEST_LOCATION }),
  };
}
