// The message properties string and the well-known property keys, shared with the store's record
// codec: the implementation is common/message-properties.ts.

export * from '../common/message-properties.js';
