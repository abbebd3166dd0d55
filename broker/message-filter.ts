// What a pull keeps: TAG subscriptions filter by the tags hash codes in the ConsumeQueue (no
// CommitLog read); SQL92 subscriptions (enablePropertyFilter=true) evaluate their expression
// against each stored message's properties. With filterSupportRetry, a retry topic's messages are
// filtered by the group's expression for the topic they came from (RETRY_TOPIC property).
//
// RocketMQ: broker/.../filter/ExpressionMessageFilter.java, ExpressionForRetryMessageFilter.java,
// ConsumerFilterManager (compiled expressions), ClientManageProcessor.checkClientConfig.

import { MqError } from '../common/errors.js';
import { emptyLayout, readLayout } from '../common/message-codec.js';
import { decodeProperties, MessageProperty } from '../common/message-properties.js';
import { compileSql92, type Sql92Filter } from '../common/sql92-filter.js';
import { isRetryTopic } from '../common/topic-rules.js';
import { ExpressionType, ResponseCode } from '../protocol/index.js';

/** Compiled expressions kept at most; a pure function of the text, so eviction is harmless. */
const MAX_COMPILED_FILTERS = 1024;
const compiled = new Map<string, Sql92Filter | MqError>();

/** A refusal to pass to the client: RocketMQ's response code and remark. */
export interface FilterRefusal {
  code: number;
  remark: string;
}

/** Compiles `expression` once (cached, bounded); a refusal carries the parser's reason. */
function compileFilter(expression: string): Sql92Filter | FilterRefusal {
  let entry = compiled.get(expression);
  if (entry === undefined) {
    try {
      entry = compileSql92(expression);
    } catch (error) {
      if (!(error instanceof MqError)) throw error;
      entry = error;
    }
    if (compiled.size >= MAX_COMPILED_FILTERS) {
      const oldest = compiled.keys().next().value as string;
      compiled.delete(oldest);
    }
    compiled.set(expression, entry);
  }
  if (entry instanceof MqError) {
    return { code: ResponseCode.SUBSCRIPTION_PARSE_FAILED, remark: entry.message };
  }
  return entry;
}

/**
 * Checks a subscription as CHECK_CLIENT_CONFIG and a SQL92 pull do: TAG always passes; SQL92
 * needs enablePropertyFilter and an expression that compiles.
 */
export function checkSubscription(
  expressionType: string | undefined,
  expression: string,
  enablePropertyFilter: boolean,
): Sql92Filter | FilterRefusal | null {
  const type =
    expressionType === undefined || expressionType === '' ? ExpressionType.TAG : expressionType;
  if (type === ExpressionType.TAG) return null;
  if (type !== ExpressionType.SQL92 || !enablePropertyFilter) {
    const remark = `The broker does not support consumer to filter message by ${type}`;
    return { code: ResponseCode.SYSTEM_ERROR, remark };
  }
  return compileFilter(expression);
}

export function isRefusal(value: unknown): value is FilterRefusal {
  return typeof value === 'object' && value !== null && 'remark' in value;
}

/** The properties of a stored record, read only when a filter needs them. */
function recordProperties(record: Buffer): Map<string, string> {
  const layout = emptyLayout();
  readLayout(record, 0, record.length, layout);
  const text = record.toString(
    'utf8',
    layout.propertiesOffset,
    layout.propertiesOffset + layout.propertiesLength,
  );
  return decodeProperties(text);
}

export function sqlRecordFilter(filter: Sql92Filter): (record: Buffer) => boolean {
  return (record) => {
    const properties = recordProperties(record);
    return filter.matches((name) => properties.get(name));
  };
}

/**
 * filterSupportRetry: a retried message passes when the group's subscription to its original
 * topic (RETRY_TOPIC) passes it; TAG subscriptions and unknown topics pass everything.
 */
export function retryRecordFilter(
  topic: string,
  filterOf: (originalTopic: string) => Sql92Filter | undefined,
): ((record: Buffer) => boolean) | undefined {
  if (!isRetryTopic(topic)) return undefined;
  return (record) => {
    const properties = recordProperties(record);
    const original = properties.get(MessageProperty.RETRY_TOPIC);
    const filter = original === undefined ? undefined : filterOf(original);
    return filter === undefined || filter.matches((name) => properties.get(name));
  };
}
