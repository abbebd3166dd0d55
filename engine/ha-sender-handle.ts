// What the store holds of a master's HA sender, which the broker injects (the engine loads no
// sockets): its shutdown, and the slaves streaming from it, asked for when an admin tool or a
// metrics scrape needs them (the sender runs on its own thread; asking costs a message round trip).

/** One slave streaming from the master's HA sender (ha/master-slave/ha-sender.ts inspect()). */
export interface HaReplicaLink {
  /** The slave's end of the HA connection, host:port. */
  address: string;
  ackOffset: number;
  nextOffset: number;
  lagBytes: number;
  /**
   * Store time (ms) of the newest record in the first write batch the slave has not wholly
   * acknowledged, or null when it lacks nothing: the oldest message it lacks was stored at or
   * before it (to within one writer batch), so now - this is its replication lag in time.
   */
  oldestMissingStoreMs: number | null;
  connectedAtMs: number;
}

export interface HaSenderHandle {
  close(): Promise<void>;
  /** The slaves streaming now, asked of the sender when needed (admin tools, metrics scrapes). */
  replicas(): Promise<HaReplicaLink[]>;
}
