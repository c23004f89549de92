/**
 * What a function process of the local stack is given: the stack's own
 * secrets, and none of the variables that would switch a local function to
 * Google Cloud's way of authenticating callers.
 */
import { childEnv } from '../../../shared/local-stack/stack-plan';

const input = {
  stateDir: '/tmp/fg-state',
  rollbackToken: 'rollback-token-0123456789',
  pushSecret: 'push-secret-0123456789abcdef',
  flushToken: 'flush-token-0123456789',
};

describe('childEnv', () => {
  it('drops Cloud Run variables and FG_ROLLBACK_AUDIENCE, so local rollback-http demands the stack token', () => {
    const env = childEnv({
      ...input,
      base: {
        PATH: '/usr/bin',
        K_SERVICE: 'rollback-http',
        K_REVISION: 'r1',
        FG_ROLLBACK_AUDIENCE: 'https://rollback-http-abc-nw.a.run.app',
        FG_FLUSH_AUTH: 'iam',
      },
    });
    expect(env.K_SERVICE).toBeUndefined();
    expect(env.K_REVISION).toBeUndefined();
    expect(env.FG_ROLLBACK_AUDIENCE).toBeUndefined();
    expect(env.FG_FLUSH_AUTH).toBe('token');
    expect(env.FG_ROLLBACK_TOKEN).toBe(input.rollbackToken);
    expect(env.FG_FLUSH_TOKEN).toBe(input.flushToken);
    expect(env.PATH).toBe('/usr/bin');
  });
});
