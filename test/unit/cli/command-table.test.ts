/**
 * The command table: `--help` reads each command's help from
 * cli/commands/help-table.ts without loading a module, and each command's
 * module takes its help from the same entry. Here every spec must load a
 * command that carries that very help, and the table must say what the
 * commands can do.
 */
import { COMMANDS } from '../../../cli/commands';
import { COMMAND_HELP } from '../../../cli/commands/help-table';
import { BAD_VERSION_DEFECTS } from '../../../shared/services/demo';

describe('the command table', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    '%s: its module carries the help the table lists',
    (_, spec) => {
      const command = spec.load();
      expect(command.name).toBe(spec.name);
      // The very strings and flag objects of the table's entry: nothing restated in the module.
      expect(command.summary).toBe(spec.summary);
      expect(command.usage).toBe(spec.usage);
      expect(command.flags).toBe(spec.flags);
      expect(typeof command.run).toBe('function');
    },
  );

  it('names every command once, and lists them in the help order', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(COMMAND_HELP.map((h) => h.name));
  });

  it('names every defect `demo bad-version` knows in its summary', () => {
    const summary = COMMAND_HELP.find((h) => h.name === 'demo bad-version')?.summary ?? '';
    expect(summary).toContain(`--defect ${BAD_VERSION_DEFECTS.join('|')}`);
  });
});
