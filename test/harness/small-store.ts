// Store options that keep test stores small: 1 MiB CommitLog segments, 1,000-unit ConsumeQueue
// segments, 64 KiB messages, 4 MiB rings, a small index. Tests add threads, flush mode and the root.

export const SMALL_SEGMENT_BYTES = 1024 * 1024;

export const smallStoreOptions = {
  mappedFileSizeCommitLog: SMALL_SEGMENT_BYTES,
  mappedFileSizeConsumeQueue: 20 * 1000,
  maxMessageSize: 64 * 1024,
  tailCacheBytes: 4 * 1024 * 1024,
  appendRingBytes: 4 * 1024 * 1024,
  maxHashSlotNum: 1000,
  maxIndexNum: 20_000,
} as const;
