import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configTable } from '../../../scripts/config-table';
import { topicTable } from '../../../scripts/topic-table';

describe('README', () => {
  const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

  it('lists exactly the configuration variables the config loader knows', () => {
    const block = readme.split('<!-- config-table:start')[1]?.split('<!-- config-table:end -->')[0] ?? '';
    expect(block.slice(block.indexOf('\n') + 1).trim()).toBe(configTable().trim());
  });

  it('shows the topic → function → service table topology gives', () => {
    const block = readme.split('<!-- topic-table:start')[1]?.split('<!-- topic-table:end -->')[0] ?? '';
    expect(block.slice(block.indexOf('\n') + 1).trim()).toBe(topicTable().trim());
  });

  it('names the two commands CI and a newcomer use', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
