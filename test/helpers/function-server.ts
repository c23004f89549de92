/**
 * Serves one registered function through the real functions framework on a
 * free loopback port, the way Cloud Run / the local stack serve it.
 */
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { AddressInfo } from 'node:net';

export interface FunctionServer {
  url: string;
  close(): Promise<void>;
}

export async function startFunctionServer(entryPoint: string): Promise<FunctionServer> {
  const server = getTestServer(entryPoint);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
