import { ChannelCredentials } from '@grpc/grpc-js';
import { vertexClientOptions } from '../../../../shared/adapters/gcp/vertex-clients';
import { ValidationError } from '../../../../shared/errors';

const where = { projectId: 'demo-fg', location: 'europe-west2' };

describe('vertexClientOptions', () => {
  it('talks TLS to the regional host by default', () => {
    expect(vertexClientOptions(where)).toEqual({
      apiEndpoint: 'europe-west2-aiplatform.googleapis.com',
      projectId: 'demo-fg',
    });
  });

  it('uses a plaintext channel, and no credential lookup, for a loopback override', () => {
    for (const [apiEndpoint, host] of [
      ['127.0.0.1:8681', '127.0.0.1'],
      ['localhost:8681', 'localhost'],
      ['[::1]:8681', '[::1]'],
    ] as const) {
      const options = vertexClientOptions({ ...where, apiEndpoint });
      expect(options).toMatchObject({ apiEndpoint: host, port: 8681, universeDomain: 'googleapis.com' });
      expect(options.sslCreds).toBeInstanceOf(ChannelCredentials);
      expect(options.sslCreds?._isSecure()).toBe(false);
    }
  });

  it('keeps TLS for an override that is not loopback (a private endpoint)', () => {
    const options = vertexClientOptions({ ...where, apiEndpoint: 'vertex.internal.example:443' });
    expect(options).toEqual({ apiEndpoint: 'vertex.internal.example', port: 443, projectId: 'demo-fg' });
  });

  it('names a malformed override', () => {
    expect(() => vertexClientOptions({ ...where, apiEndpoint: 'http://127.0.0.1:8681' })).toThrow(
      ValidationError,
    );
    expect(() => vertexClientOptions({ ...where, apiEndpoint: '127.0.0.1' })).toThrow(
      /apiEndpoint: must be host:port/,
    );
  });
});
