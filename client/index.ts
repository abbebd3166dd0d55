// petrelmq/client: Petrel's RocketMQ 4.x client.
//
//   import { Producer, PushConsumer, PullConsumer, Admin } from 'petrelmq/client';
//
//   const producer = new Producer({ namesrvAddr: '127.0.0.1:9876', groupName: 'PG' });
//   await producer.start();
//   const result = await producer.send({ topic: 'orders', tags: 'created', body: 'hello' });
//
//   const consumer = new PushConsumer({ namesrvAddr: '127.0.0.1:9876', groupName: 'CG' });
//   consumer.subscribe('orders', 'created || paid', async (messages) => {
//     for (const m of messages) handle(m.body);
//   });
//   await consumer.start();
//   ...
//   await consumer.shutdown();
//   await producer.shutdown();
//
// The client imports only protocol/ and common/.

export { ErrorCode, MqError } from '../common/errors.js';
export type { BrokerData, QueueData, TopicRouteData } from '../protocol/bodies/topic-route-data.js';
export type { Logger } from '../protocol/logger.js';
export type {
  AdminOptions,
  ClusterBroker,
  ConsumerProgress,
  ConsumerQueueProgress,
  CreateTopicOptions,
  TopicQueueStatus,
} from './admin.js';
export { Admin } from './admin.js';
export type { AllocateInput, AllocateStrategy } from './allocate-strategy.js';
export {
  AllocateStrategyName,
  allocateAveragely,
  allocateAveragelyByCircle,
} from './allocate-strategy.js';
export { PullStatus } from './broker-api.js';
export type { ClientOptions } from './client-options.js';
export {
  ConsumeFromWhere,
  type ConsumerOptions,
  MessageModel,
  type PushConsumerOptions,
} from './consumer-options.js';
export type { Message, MessageExt } from './message.js';
export { retryTopicOf } from './message.js';
export { formatQueue, type MessageQueue } from './message-queue.js';
export type {
  ProducerOptions,
  ProducerSnapshot,
  SendCallback,
  SendOptions,
  SendResult,
} from './producer.js';
export { Producer } from './producer.js';
export { PullConsumer, type PullResult } from './pull-consumer.js';
export {
  type ConsumeContext,
  ConsumeStatus,
  type MessageListener,
  PushConsumer,
  type PushConsumerSnapshot,
} from './push-consumer.js';
export { type MessageQueueSelector, selectQueueByHash } from './queue-selector.js';
export { createReplyMessage } from './request-reply.js';
export { SendStatus } from './send-policy.js';
export { bySql, type SubscriptionExpression } from './subscription.js';
export { formatPerm, Perm } from './topic-route.js';
export {
  LocalTransactionState,
  type TransactionListener,
  TransactionProducer,
  type TransactionProducerOptions,
  type TransactionSendResult,
} from './transaction-producer.js';
