/**
 * Prints the README's topic table (run: npx tsx scripts/topic-table.ts):
 * for every topic, who publishes to it (functions, and the outside
 * publishers topology declares), which function consumes it at which entry
 * point, and the use-case module that function calls. All of it is read from
 * shared/topology.ts; test/unit/docs/readme.test.ts keeps the README equal to it.
 */
import { FUNCTIONS, OUTSIDE_PUBLISHERS, TOPICS, type TopicName } from '../shared/topology';

function publishersOf(topic: TopicName): string[] {
  const functions = FUNCTIONS.filter((f) => f.publishes.includes(topic)).map((f) => `\`${f.name}\``);
  const outside = OUTSIDE_PUBLISHERS.filter((p) => p.publishes.includes(topic)).map((p) => p.name);
  return [...outside, ...functions];
}

function row(topic: TopicName): string {
  const consumers = FUNCTIONS.filter((f) => f.trigger === topic);
  const consumed = consumers.map((f) => `\`${f.name}\` (\`${f.entryPoint}\`)`).join(', ');
  const services = consumers.map((f) => `\`${f.service}\``).join(', ');
  const none = '—';
  return `| \`${topic}\` | ${publishersOf(topic).join(', ') || none} | ${consumed || none} | ${services || none} |`;
}

export function topicTable(): string {
  return [
    '| topic | published by | consumed by (function, entry point) | service |',
    '|---|---|---|---|',
    ...TOPICS.map(row),
  ].join('\n');
}

if (require.main === module) process.stdout.write(topicTable() + '\n');
