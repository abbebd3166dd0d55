// Raft message, entry and state types: plain data, Uint8Array payloads, string peer ids.
// These are the values the core exchanges with its host; a later wire codec (ha/dledger/) encodes
// them field by field, so every field is a primitive, an Entry or an array of entries.
//
// Invariants: entry indexes start at 1 (index 0 / term 0 is the empty log's sentinel); an entry's
// (index, term) identifies it across the cluster (log matching); messages are never mutated after
// they leave the core, so a host or a simulated network may deliver the same object twice.
//
// etcd counterpart: raftpb.Entry, raftpb.Message, raftpb.HardState, raft.SoftState.
// DLedger counterpart: DLedgerEntry, VoteRequest/Response, PushEntryRequest/Response, HeartBeat*.

/** Entry kinds. Numeric because the DLedger log store encodes them on disk. */
export const EntryType = {
  /** Client data (one RocketMQ message or batch per entry in DLedger mode). */
  NORMAL: 0,
  /** Empty entry a new leader appends so that it can commit earlier terms' entries. */
  NOOP: 1,
} as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

export const MessageType = {
  /** Append entries (also the probe when `entries` is empty). DLedger: PUSH APPEND/COMPARE. */
  APP: 'MsgApp',
  APP_RESP: 'MsgAppResp',
  /** Pre-vote request: asks "would you vote for me at term + 1?" without changing any term. */
  PRE_VOTE: 'MsgPreVote',
  PRE_VOTE_RESP: 'MsgPreVoteResp',
  VOTE: 'MsgVote',
  VOTE_RESP: 'MsgVoteResp',
  HEARTBEAT: 'MsgHeartbeat',
  HEARTBEAT_RESP: 'MsgHeartbeatResp',
  /** Leader to transferee: campaign now, skipping pre-vote (leadership transfer). */
  TIMEOUT_NOW: 'MsgTimeoutNow',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Why a vote request was sent; a transfer campaign may bypass the followers' leader lease. */
export const CampaignType = {
  ELECTION: 'election',
  TRANSFER: 'transfer',
} as const;
export type CampaignType = (typeof CampaignType)[keyof typeof CampaignType];

/**
 * One message between two cores. Fields follow etcd's raftpb.Message:
 * - APP: `index`/`logTerm` = previous entry, `entries`, `commit` = leader commit.
 * - APP_RESP: `index` = last matching index; on reject, `rejectHint`/`logTerm` guide backtracking.
 * - (PRE_)VOTE: `index`/`logTerm` = candidate's last entry; `campaign` says why.
 * - HEARTBEAT: `commit` = min(follower match, leader commit).
 */
export interface Message {
  readonly type: MessageType;
  readonly from: string;
  readonly to: string;
  readonly term: number;
  readonly logTerm: number;
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  readonly reject: boolean;
  readonly rejectHint: number;
  readonly campaign: CampaignType;
}

/** State that must be durable before any message of the same Ready is sent. */
export interface HardState {
  readonly term: number;
  /** The peer this node voted for in `term`, or null. */
  readonly vote: string | null;
  readonly commit: number;
}

export const Role = {
  FOLLOWER: 'FOLLOWER',
  PRE_CANDIDATE: 'PRE_CANDIDATE',
  CANDIDATE: 'CANDIDATE',
  LEADER: 'LEADER',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** Volatile state a host reports (role changes drive DLedger's broker role switch). */
export interface SoftState {
  readonly role: Role;
  readonly leaderId: string | null;
  readonly term: number;
}

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: null, commit: 0 });
export const NO_ENTRIES: readonly Entry[] = Object.freeze([]);
const EMPTY_DATA = new Uint8Array(0);

export function emptyData(): Uint8Array {
  return EMPTY_DATA;
}

export function isHardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** A message with every optional field at its zero value, built with one fixed shape. */
export function message(
  fields: Pick<Message, 'type' | 'from' | 'to' | 'term'> & Partial<Message>,
): Message {
  return {
    type: fields.type,
    from: fields.from,
    to: fields.to,
    term: fields.term,
    logTerm: fields.logTerm ?? 0,
    index: fields.index ?? 0,
    entries: fields.entries ?? NO_ENTRIES,
    commit: fields.commit ?? 0,
    reject: fields.reject ?? false,
    rejectHint: fields.rejectHint ?? 0,
    campaign: fields.campaign ?? CampaignType.ELECTION,
  };
}
