/** Prints the README's configuration table from the config's own variable list (run: npx tsx scripts/config-table.ts). */
import { VARIABLES } from '../shared/config/variables';

export function configTable(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const rows = VARIABLES.map(
    (v) =>
      `| \`${v.name}\` | ${esc(v.description)} | ${v.default ? `\`${esc(v.default)}\`` : ''} | ${v.secret ? 'yes' : ''} |`,
  );
  return ['| variable | meaning | default | secret |', '|---|---|---|---|', ...rows].join('\n');
}

if (require.main === module) process.stdout.write(configTable() + '\n');
