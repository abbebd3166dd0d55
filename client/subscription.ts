// What a consumer subscribes with: a TAG expression ("*", "TagA || TagB") or an SQL92 expression
// over message properties, given as ali-ons does ({ expressionType: 'SQL92', subString }) or with
// bySql(). An SQL92 expression is checked here first, with the same parser and rules the broker
// uses, so a malformed one fails at subscribe() with E_FILTER_EXPRESSION_INVALID; start() then asks
// the brokers (CHECK_CLIENT_CONFIG), which refuse SQL92 unless enablePropertyFilter=true.
//
// RocketMQ: client/.../consumer/MessageSelector.java, FilterAPI.build, and
// MQClientInstance.checkClientInBroker.

import { compileSql92 } from '../common/sql92-filter.js';
import {
  ExpressionType,
  parseTagExpression,
  type SubscriptionData,
} from '../protocol/bodies/heartbeat-data.js';

export type SubscriptionExpression =
  | string
  | { readonly expressionType: 'TAG' | 'SQL92'; readonly subString: string };

/** An SQL92 subscription, e.g. bySql("region = 'eu' AND amount > 100"). */
export function bySql(expression: string): SubscriptionExpression {
  return { expressionType: ExpressionType.SQL92, subString: expression };
}

/** Builds the SubscriptionData sent in heartbeats and pulls; throws on a malformed SQL92 expression. */
export function buildSubscription(
  topic: string,
  expression: SubscriptionExpression,
  subVersion: number,
): SubscriptionData {
  const base = { topic, subVersion, classFilterMode: false };
  if (typeof expression === 'object' && expression.expressionType === ExpressionType.SQL92) {
    compileSql92(expression.subString);
    return {
      ...base,
      subString: expression.subString,
      tagsSet: [],
      codeSet: [],
      expressionType: ExpressionType.SQL92,
    };
  }
  const text = typeof expression === 'object' ? expression.subString : expression;
  const tags = parseTagExpression(text);
  return {
    ...base,
    subString: tags.subString,
    tagsSet: tags.tagsSet,
    codeSet: tags.codeSet,
    expressionType: ExpressionType.TAG,
  };
}

export function isSqlSubscription(data: SubscriptionData): boolean {
  return data.expressionType === ExpressionType.SQL92;
}
