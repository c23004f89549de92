import {
  credentialIdentity,
  type CredentialSource,
} from '../../../../shared/adapters/gcp/credential-identity';

const source = (email: string | undefined, token: string | undefined): CredentialSource => ({
  getCredentials: async () => (email ? { client_email: email } : {}),
  getAccessToken: async () => token,
});

describe('credentialIdentity', () => {
  it("names a service account by its credentials' email, without asking tokeninfo", async () => {
    const tokenInfo = jest.fn();
    expect(await credentialIdentity(source('deployer@p.iam.gserviceaccount.com', 'ya29.x'), tokenInfo)).toBe(
      'deployer@p.iam.gserviceaccount.com',
    );
    expect(tokenInfo).not.toHaveBeenCalled();
  });

  it("names a user by tokeninfo's email for their access token", async () => {
    const tokenInfo = jest.fn(async (token: string) =>
      token === 'ya29.user' ? { email: 'alice@corp.example' } : {},
    );
    expect(await credentialIdentity(source(undefined, 'ya29.user'), tokenInfo)).toBe('alice@corp.example');
  });

  it('is undefined when nothing names the credentials', async () => {
    expect(await credentialIdentity(source(undefined, undefined), async () => ({}))).toBeUndefined();
    expect(await credentialIdentity(source(undefined, 'ya29.x'), async () => ({}))).toBeUndefined();
  });
});
