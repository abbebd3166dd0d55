// Hard limits shared by the store, the wire and the clients. One definition each, tested at N and N+1.

import { assert } from './assert.js';

export const Limits = {
  /** Default maximum stored message body / record size (RocketMQ maxMessageSize). */
  maxMessageSizeBytes: 4 * 1024 * 1024,
  /** Topic names are stored with a one-byte length; RocketMQ caps them at 127 bytes. */
  maxTopicLengthBytes: 127,
  /** The properties string is stored with a two-byte signed length. */
  maxPropertiesLengthBytes: 32767,
  /** Largest remoting frame accepted by default. */
  maxFrameSizeBytes: 16 * 1024 * 1024,
} as const;

assert(Limits.maxFrameSizeBytes > Limits.maxMessageSizeBytes, 'a frame must hold a full message');
assert(Limits.maxTopicLengthBytes < 256, 'topic length is stored in one byte');
