/**
 * The seam the in-process function tests use instead of writing to
 * process.env: `useFunctionEnvironment` decides what the next runtime reads,
 * and its restore puts the previous source back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeFunctionRuntimes,
  functionEnvironment,
  functionRuntime,
  useFunctionEnvironment,
} from '../../../shared/wiring/function-runtime';

describe('useFunctionEnvironment', () => {
  const dirs: string[] = [];
  const aStateDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-fn-runtime-'));
    dirs.push(dir);
    return dir;
  };

  afterEach(async () => {
    await closeFunctionRuntimes();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('reads process.env until another source is installed, and again once it is restored', () => {
    expect(functionEnvironment()).toBe(process.env);
    const env = { FG_STATE_DIR: '/nowhere' };
    const restore = useFunctionEnvironment(env);
    expect(functionEnvironment()).toBe(env);
    restore();
    expect(functionEnvironment()).toBe(process.env);
  });

  it('restores in stack order: the inner restore brings back the outer source', () => {
    const outer = { FG_LOG_LEVEL: 'error' };
    const inner = { FG_LOG_LEVEL: 'debug' };
    const restoreOuter = useFunctionEnvironment(outer);
    const restoreInner = useFunctionEnvironment(inner);
    restoreInner();
    expect(functionEnvironment()).toBe(outer);
    restoreOuter();
    expect(functionEnvironment()).toBe(process.env);
  });

  it('builds a runtime from the installed environment, which the runtime keeps until runtimes are closed', async () => {
    const first = aStateDir();
    const restore = useFunctionEnvironment({ FG_STATE_DIR: first, FG_LOG_LEVEL: 'error' });
    try {
      const rt = await functionRuntime('test-fn');
      expect(rt.config.stateDir).toBe(first);
      expect(rt.config.logLevel).toBe('error');

      const second = aStateDir();
      const restoreSecond = useFunctionEnvironment({ FG_STATE_DIR: second, FG_LOG_LEVEL: 'error' });
      try {
        expect((await functionRuntime('test-fn')).config.stateDir).toBe(first);
        await closeFunctionRuntimes();
        expect((await functionRuntime('test-fn')).config.stateDir).toBe(second);
      } finally {
        restoreSecond();
      }
    } finally {
      restore();
    }
  });

  it('still takes an environment passed to functionRuntime over the installed one', async () => {
    const installed = aStateDir();
    const passed = aStateDir();
    const restore = useFunctionEnvironment({ FG_STATE_DIR: installed, FG_LOG_LEVEL: 'error' });
    try {
      const rt = await functionRuntime('test-fn-passed', { FG_STATE_DIR: passed, FG_LOG_LEVEL: 'error' });
      expect(rt.config.stateDir).toBe(passed);
    } finally {
      restore();
    }
  });
});
