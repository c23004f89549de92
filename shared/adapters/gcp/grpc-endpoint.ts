/**
 * Where a generated Google Cloud client (google-gax over gRPC) connects when
 * an `apiEndpoint` override is given as host:port: a loopback host is a local
 * stand-in (the Vertex AI server, the stack's Cloud Scheduler server) spoken
 * to in plaintext; any other host is a private endpoint reached with TLS.
 */
import type * as Grpc from '@grpc/grpc-js';
import { ValidationError } from '../../errors';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** A type alias, not an interface: the clients' option types carry an index signature. */
export type GrpcEndpointOptions = {
  apiEndpoint: string;
  port: number;
  projectId: string;
  sslCreds?: Grpc.ChannelCredentials;
  universeDomain?: string;
};

/** Client options for `apiEndpoint` (host:port); `example` names a valid one in the error. */
export function grpcEndpointOptions(
  apiEndpoint: string,
  projectId: string,
  example: string,
): GrpcEndpointOptions {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(apiEndpoint);
  if (!match) {
    throw new ValidationError(
      `apiEndpoint: must be host:port, e.g. ${example} (got ${JSON.stringify(apiEndpoint)})`,
      ['apiEndpoint'],
    );
  }
  const host = match[1] as string;
  const port = Number(match[2]);
  if (!LOOPBACK.has(host)) return { apiEndpoint: host, port, projectId };
  // Required here, not imported: grpc-js loads only in a process that talks to a local stand-in.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { credentials } = require('@grpc/grpc-js') as typeof Grpc;
  return {
    apiEndpoint: host,
    port,
    projectId,
    sslCreds: credentials.createInsecure(),
    universeDomain: 'googleapis.com',
  };
}
