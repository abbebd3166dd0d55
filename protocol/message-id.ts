// Offset message ids and client unique ids (UNIQ_KEY), shared with the store: the implementation
// is common/message-id.ts.

export * from '../common/message-id.js';
