/**
 * Who the Google credentials this process runs with are (Application
 * Default Credentials): a service account's email from the credentials
 * themselves (key file, metadata server, impersonation), or for a user's
 * `gcloud auth application-default login` the email Google's tokeninfo
 * endpoint gives for their access token. This is what an approval or a CLI
 * rollback records as verified; `--by` stays the claimed name beside it.
 * The sources are injectable, so tests need neither credentials nor network.
 */
import type * as GoogleAuthLibrary from 'google-auth-library';

/** The two things asked of the credentials (GoogleAuth has both). */
export interface CredentialSource {
  getCredentials(): Promise<{ client_email?: string | null }>;
  getAccessToken(): Promise<string | null | undefined>;
}

/** tokeninfo for an access token (OAuth2Client.getTokenInfo). */
export type TokenInfo = (accessToken: string) => Promise<{ email?: string }>;

/** The identity of `source`: the service account email, else the token's email; undefined when neither is known. */
export async function credentialIdentity(
  source: CredentialSource,
  tokenInfo: TokenInfo,
): Promise<string | undefined> {
  const credentials = await source.getCredentials();
  if (credentials.client_email) return credentials.client_email;
  const token = await source.getAccessToken();
  if (!token) return undefined;
  return (await tokenInfo(token)).email || undefined;
}

/** The identity of this process's Application Default Credentials (asks Google; needs credentials). */
export function googleCredentialIdentity(): Promise<string | undefined> {
  // Required on use: the CLI imports this module, and most of its commands never ask who they are.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GoogleAuth, OAuth2Client } = require('google-auth-library') as typeof GoogleAuthLibrary;
  const auth = new GoogleAuth({
    scopes: [
      'https://www.googleapis.com/auth/cloud-platform',
      'https://www.googleapis.com/auth/userinfo.email',
    ],
  });
  const oauth = new OAuth2Client();
  return credentialIdentity(auth, (token) => oauth.getTokenInfo(token));
}
