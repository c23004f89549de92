/**
 * The command table (cli/commands/index.ts) repeats each command's name,
 * summary, usage and flags so `--help` needs no command module; here each
 * spec must load a command that says exactly the same.
 */
import { COMMANDS } from '../../../cli/commands';

describe('the command table', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s: its module says what the table says', (_, spec) => {
    const command = spec.load();
    expect({
      name: command.name,
      summary: command.summary,
      usage: command.usage,
      flags: command.flags,
    }).toEqual({ name: spec.name, summary: spec.summary, usage: spec.usage, flags: spec.flags });
    // The very flag objects, not look-alikes: values are read back by identity.
    command.flags.forEach((flag, i) => expect(flag).toBe(spec.flags[i]));
    expect(typeof command.run).toBe('function');
  });

  it('names every command once', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
