/**
 * `publish TOPIC --file F [--attr k=v]...`: publish a message exactly as its
 * producer would (a log sink, Cloud Scheduler, a deploy script). The payload
 * is checked against the topic's contract first, so a typo fails here with the
 * field named instead of landing in a dead-letter topic.
 *
 * `sales-data-updates` carries Cloud Storage notifications, whose meaning is
 * in the attributes: the whole message (attributes and, for JSON_API_V1, the
 * object resource in `--file`) is checked as sales-data-events will read it,
 * and with `--attr payloadFormat=NONE` there is no `--file` (no data).
 */
import { readFileSync } from 'node:fs';
import { storageEventFrom } from '../../shared/contracts/external/storage-notification';
import { TOPIC_MESSAGES } from '../../shared/contracts/topic-messages';
import { parseWith } from '../../shared/contracts/parse';
import { withCorrelation, newCorrelationId } from '../../shared/logging/correlation';
import { randomIds } from '../../shared/ports/clock';
import { TOPICS, type TopicName } from '../../shared/topology';
import type { Command } from '../command';
import { EXIT, UsageError } from '../exit-codes';
import { FLAGS } from '../flag-table';
import { required } from '../flags';
import { withBackend } from '../backend';
import { helpOf } from './help-table';

function parseAttrs(values: string[]): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 1) throw new UsageError(`--attr "${v}" must be key=value`, ['attr']);
    attrs[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return attrs;
}

/** Checks a notification as the consumer will decode it: a push body of these attributes and data. */
function checkStorageNotification(payload: unknown, attrs: Record<string, string>): void {
  const data = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload)).toString('base64');
  storageEventFrom(
    { message: { messageId: 'cli-check', attributes: attrs, ...(data ? { data } : {}) } },
    'Cloud Storage notification',
  );
}

export const publishCommand: Command = {
  ...helpOf('publish'),
  async run(ctx) {
    const topic = ctx.positionals[0];
    if (!topic) throw new UsageError('TOPIC is required', ['TOPIC']);
    if (!(TOPICS as readonly string[]).includes(topic)) {
      throw new UsageError(`unknown topic "${topic}"; topics: ${TOPICS.join(', ')}`, ['TOPIC']);
    }
    const attrs = parseAttrs(ctx.flag(FLAGS.attr));
    const storage = topic === 'sales-data-updates';
    const given = ctx.flag(FLAGS.file);
    const attributeOnly = storage && attrs.payloadFormat === 'NONE' && given === undefined;
    const file = attributeOnly ? undefined : required(given, FLAGS.file);
    let payload: unknown;
    if (file !== undefined) {
      try {
        payload = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new UsageError(`--file ${file}: ${(err as Error).message}`, ['file']);
      }
    }
    if (!ctx.flag(FLAGS.noCheck)) {
      if (storage) checkStorageNotification(payload, attrs);
      else {
        const { name, schema } = TOPIC_MESSAGES[topic as TopicName];
        parseWith(schema, payload, name);
      }
    }
    const correlationId = attrs.correlationId ?? newCorrelationId(randomIds);
    const messageId = await withBackend(ctx, (backend) =>
      backend.bus.publish(topic, { data: payload, attributes: withCorrelation(attrs, correlationId) }),
    );
    ctx.out.line(`published ${messageId} to ${topic} (correlationId ${correlationId})`);
    ctx.out.result({ messageId, topic, correlationId });
    return EXIT.ok;
  },
};
