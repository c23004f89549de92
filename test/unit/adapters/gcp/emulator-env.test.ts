/**
 * The emulators keep the real clock even when the test run is shifted by
 * libfaketime (`npm run test:future`): the JVM spins under its preload.
 */
import { realClockEnv } from '../../../../shared/adapters/gcp/emulators';

describe('realClockEnv', () => {
  it("drops libfaketime's preload and settings, and keeps everything else", () => {
    const env = realClockEnv({
      PATH: '/usr/bin',
      JAVA_HOME: '/usr/lib/jvm/java-17',
      LD_PRELOAD: '/usr/$LIB/faketime/libfaketime.so.1',
      FAKETIME: '+730d',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
      FAKETIME_SHARED: '/faketime_sem_1 /faketime_shm_1',
    });
    expect(env).toEqual({ PATH: '/usr/bin', JAVA_HOME: '/usr/lib/jvm/java-17' });
  });

  it('keeps a preload that is not libfaketime', () => {
    expect(realClockEnv({ LD_PRELOAD: '/usr/lib/libjemalloc.so.2' })).toEqual({
      LD_PRELOAD: '/usr/lib/libjemalloc.so.2',
    });
  });
});
