/**
 * `publish TOPIC --file F [--attr k=v]...`: publish a message exactly as its
 * producer would (a log sink, Cloud Scheduler, a deploy script). The payload
 * is checked against the topic's contract first, so a typo fails here with the
 * field named instead of landing in a dead-letter topic.
 */
import { readFileSync } from 'node:fs';
import { TOPIC_MESSAGES } from '../../shared/contracts/topic-messages';
import { parseWith } from '../../shared/contracts/parse';
import { withCorrelation, newCorrelationId } from '../../shared/logging/correlation';
import { randomIds } from '../../shared/ports/clock';
import { TOPICS, type TopicName } from '../../shared/topology';
import { requireFlag, type Command } from '../command';
import { EXIT, UsageError } from '../exit-codes';
import { withBackend } from '../backend';

function parseAttrs(values: string[]): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 1) throw new UsageError(`--attr "${v}" must be key=value`, ['attr']);
    attrs[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return attrs;
}

export const publishCommand: Command = {
  name: 'publish',
  summary: 'publish a message to a topic as its producer would',
  usage: 'publish TOPIC --file F [--attr k=v]... [--no-check]',
  options: {
    file: { type: 'string' },
    attr: { type: 'string', multiple: true },
    'no-check': { type: 'boolean' },
  },
  async run(ctx) {
    const topic = ctx.positionals[0];
    if (!topic) throw new UsageError('TOPIC is required', ['TOPIC']);
    if (!(TOPICS as readonly string[]).includes(topic)) {
      throw new UsageError(`unknown topic "${topic}"; topics: ${TOPICS.join(', ')}`, ['TOPIC']);
    }
    const file = requireFlag(ctx.flags, 'file');
    let payload: unknown;
    try {
      payload = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`--file ${file}: ${(err as Error).message}`, ['file']);
    }
    if (!ctx.flags['no-check']) {
      const { name, schema } = TOPIC_MESSAGES[topic as TopicName];
      parseWith(schema, payload, name);
    }
    const attrs = parseAttrs((ctx.flags.attr as string[] | undefined) ?? []);
    const correlationId = attrs.correlationId ?? newCorrelationId(randomIds);
    const messageId = await withBackend(ctx, (backend) =>
      backend.bus.publish(topic, { data: payload, attributes: withCorrelation(attrs, correlationId) }),
    );
    ctx.out.line(`published ${messageId} to ${topic} (correlationId ${correlationId})`);
    ctx.out.result({ messageId, topic, correlationId });
    return EXIT.ok;
  },
};
