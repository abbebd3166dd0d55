// Cross-field rules, applied after every key has parsed on its own. They follow what RocketMQ's
// BrokerStartup does after loading a file, and make its silent fix-ups visible:
// - master roles (ASYNC_MASTER, SYNC_MASTER) force brokerId 0, with a warning if the file said
//   otherwise; SLAVE needs brokerId above 0 (RocketMQ exits with "Slave's brokerId must be > 0");
// - DLedger mode needs dLegerPeers and dLegerSelfId, with the self id among the peers, and sets
//   brokerId to -1: the Raft role decides it at runtime;
// - haListenHost is bindAddress unless set, so no listener opens wider than the remoting port;
// - haListenPort is listenPort+1 unless the file or a flag sets it (RocketMQ always overwrites it
//   with listenPort+1; Petrel keeps an explicit value so two brokers can share a host freely);
// - brokerIP2, storeHost (brokerIP1 and advertisedListenPort, else listenPort),
//   storePathCommitLog and dLegerGroup follow the keys they default to;
// - segment sizes are multiples of their unit: the CommitLog of 4 KiB pages (an error), the
//   ConsumeQueue of 20-byte units (rounded up with a warning, as RocketMQ's getter rounds).

import type { BrokerOnlyConfig } from './broker-schema.js';
import type { ControllerModeConfig } from './controller-mode-schema.js';
import type { DledgerConfig } from './dledger-schema.js';
import type { ConfigDraft } from './draft.js';
import type { NamesrvConfig } from './namesrv-schema.js';
import {
  COMMIT_LOG_PAGE_BYTES,
  CONSUME_QUEUE_UNIT_BYTES,
  type StoreConfig,
} from './store-schema.js';
import { validateBrokerSecurity, validateTlsServer } from './validate-security.js';

export type BrokerConfig = BrokerOnlyConfig & StoreConfig & DledgerConfig & ControllerModeConfig;

type BrokerDraft = ConfigDraft<BrokerConfig>;

/** Record overhead a CommitLog segment keeps free beyond the largest message (end-of-file blank). */
const SEGMENT_TAIL_BYTES = 8;
/** Ring record header and alignment allowance per message (see workers/ring). */
const RING_RECORD_OVERHEAD_BYTES = 64;

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function validateRole(d: BrokerDraft): void {
  const role = d.get('brokerRole');
  const brokerId = d.get('brokerId');
  if (d.get('enableControllerMode')) {
    validateControllerMode(d);
    return;
  }
  if (d.get('enableDLegerCommitLog')) {
    if (d.isSet('brokerRole')) {
      d.warn('brokerRole', `${role} is ignored in DLedger mode: the Raft role decides it`);
    }
    if (d.isSet('brokerId')) {
      d.warn('brokerId', `${brokerId} is ignored in DLedger mode: the Raft role decides it`);
    }
    d.derive('brokerId', -1, 'enableDLegerCommitLog=true (decided at runtime)');
    return;
  }
  if (role === 'SLAVE') {
    if (brokerId <= 0) {
      d.problem('brokerId', `brokerRole SLAVE needs brokerId above 0, got ${brokerId}`, anchor(d));
    }
    return;
  }
  if (brokerId !== 0) {
    d.warn(
      'brokerId',
      `${brokerId} is replaced by 0: brokerRole ${role} is a master role, and a master always ` +
        'uses brokerId 0 (set brokerRole=SLAVE for a slave)',
    );
    d.derive('brokerId', 0, `brokerRole=${role} (a master is brokerId 0)`);
  }
}

/**
 * Controller mode: the controller decides the role and id (a configured brokerId is only a
 * preference); it needs controllerAddr and excludes DLedger, which elects its own master.
 */
function validateControllerMode(d: BrokerDraft): void {
  if (d.get('enableDLegerCommitLog')) {
    d.problem(
      'enableControllerMode',
      'cannot be combined with enableDLegerCommitLog=true: DLedger elects its own master; choose one',
    );
  }
  if (d.get('controllerAddr') === undefined) {
    d.problem('controllerAddr', 'required when enableControllerMode=true', 'enableControllerMode');
  }
  if (d.isSet('brokerRole')) {
    d.warn(
      'brokerRole',
      `${d.get('brokerRole')} is ignored in controller mode: the controller decides it`,
    );
  }
  // A master fences itself one heartbeat before the controller may give it up (its lease).
  if (d.get('controllerHeartBeatTimeoutMills') < 2 * d.get('brokerHeartbeatInterval')) {
    d.problem(
      'controllerHeartBeatTimeoutMills',
      `must be at least twice brokerHeartbeatInterval (${d.get('brokerHeartbeatInterval')} ms)`,
    );
  }
  if (d.get('storePathEpochFile') === undefined) {
    d.derive(
      'storePathEpochFile',
      `${d.get('storePathRootDir')}/epochFileCheckpoint`,
      'storePathRootDir',
    );
  }
}

/** Where to report a SLAVE without a brokerId: at brokerId if set, else at brokerRole. */
function anchor(d: BrokerDraft): string {
  return d.isSet('brokerId') ? 'brokerId' : 'brokerRole';
}

function validateDledgerPeers(d: BrokerDraft): void {
  const peers = d.get('dLegerPeers');
  const selfId = d.get('dLegerSelfId');
  const needed = 'required when enableDLegerCommitLog=true';
  if (peers === undefined) d.problem('dLegerPeers', needed, 'enableDLegerCommitLog');
  if (selfId === undefined) d.problem('dLegerSelfId', needed, 'enableDLegerCommitLog');
  if (peers === undefined || selfId === undefined) return;
  const ids = peers.map((p) => p.id);
  const self = peers.find((p) => p.id === selfId);
  if (self === undefined) {
    d.problem('dLegerSelfId', `"${selfId}" is not among the dLegerPeers ids ${ids.join(', ')}`);
  } else if (self.port === d.get('listenPort')) {
    d.problem('dLegerPeers', `${selfId}'s DLedger port ${self.port} is also the listenPort`);
  }
  for (const id of d.get('preferredLeaderId')?.split(';') ?? []) {
    if (!ids.includes(id)) {
      d.problem('preferredLeaderId', `"${id}" is not among the dLegerPeers ids ${ids.join(', ')}`);
    }
  }
}

/** Controller-mode keys set without the mode do nothing: say so. */
function warnControllerKeysUnused(d: BrokerDraft): void {
  if (d.get('enableControllerMode')) return;
  for (const key of ['controllerAddr', 'allAckInSyncStateSet', 'storePathEpochFile'] as const) {
    if (d.isSet(key)) d.warn(key, 'is ignored: enableControllerMode is false');
  }
}

function validateDledger(d: BrokerDraft): void {
  if (!d.get('enableDLegerCommitLog')) {
    for (const key of [
      'dLegerPeers',
      'dLegerSelfId',
      'dLegerGroup',
      'preferredLeaderId',
    ] as const) {
      if (d.isSet(key)) d.warn(key, 'is ignored: enableDLegerCommitLog is false');
    }
    return;
  }
  validateDledgerPeers(d);
  if (d.get('dLegerGroup') === undefined) {
    d.derive('dLegerGroup', d.get('brokerName'), 'brokerName');
  }
  if (d.get('minVoteIntervalMs') > d.get('maxVoteIntervalMs')) {
    d.problem('minVoteIntervalMs', 'must not exceed maxVoteIntervalMs');
  }
}

function validateAddresses(d: BrokerDraft): void {
  const listenPort = d.get('listenPort');
  if (!d.isSet('haListenPort')) {
    // Port 0 asks the system for a free port; the HA port then floats too.
    const haPort = listenPort === 0 ? 0 : listenPort + 1;
    if (haPort > 65535) {
      d.problem('listenPort', `leaves no room for haListenPort (listenPort+1 = ${haPort})`);
    } else {
      d.derive('haListenPort', haPort, 'listenPort+1');
    }
  } else if (listenPort !== 0 && d.get('haListenPort') === listenPort) {
    d.problem('haListenPort', `must differ from listenPort ${listenPort}`);
  }
  if (!d.isSet('brokerIP2')) d.derive('brokerIP2', d.get('brokerIP1'), 'brokerIP1');
  // Every listener of the broker binds where the remoting port does unless told otherwise.
  if (!d.isSet('haListenHost')) d.derive('haListenHost', d.get('bindAddress'), 'bindAddress');
  if (!d.isSet('storeHost')) {
    const advertised = d.get('advertisedListenPort');
    if (advertised === undefined) {
      d.derive('storeHost', `${d.get('brokerIP1')}:${listenPort}`, 'brokerIP1:listenPort');
    } else {
      d.derive(
        'storeHost',
        `${d.get('brokerIP1')}:${advertised}`,
        'brokerIP1:advertisedListenPort',
      );
    }
  }
  if (d.get('storePathCommitLog') === undefined) {
    d.derive('storePathCommitLog', `${d.get('storePathRootDir')}/commitlog`, 'storePathRootDir');
  }
  const isMaster =
    d.get('brokerRole') !== 'SLAVE' ||
    d.get('enableDLegerCommitLog') ||
    d.get('enableControllerMode');
  if (isMaster && d.isSet('haMasterAddress')) {
    d.warn('haMasterAddress', 'is ignored: only a SLAVE connects to a master');
  }
}

function validateSegments(d: BrokerDraft): void {
  const commitLogBytes = d.get('mappedFileSizeCommitLog');
  if (commitLogBytes % COMMIT_LOG_PAGE_BYTES !== 0) {
    d.problem('mappedFileSizeCommitLog', `must be a multiple of ${COMMIT_LOG_PAGE_BYTES}`);
  }
  const cqBytes = d.get('mappedFileSizeConsumeQueue');
  if (cqBytes % CONSUME_QUEUE_UNIT_BYTES !== 0) {
    const rounded = Math.ceil(cqBytes / CONSUME_QUEUE_UNIT_BYTES) * CONSUME_QUEUE_UNIT_BYTES;
    d.warn(
      'mappedFileSizeConsumeQueue',
      `${cqBytes} is not a multiple of ${CONSUME_QUEUE_UNIT_BYTES}; rounded up to ${rounded}, as RocketMQ does`,
    );
    d.derive('mappedFileSizeConsumeQueue', rounded, `rounded up to ${CONSUME_QUEUE_UNIT_BYTES}`);
  }
  const maxMessageSize = d.get('maxMessageSize');
  if (maxMessageSize + SEGMENT_TAIL_BYTES > commitLogBytes) {
    d.problem('maxMessageSize', `must leave room in a segment of ${commitLogBytes} bytes`);
  }
  if (d.get('maxFrameSizeBytes') <= maxMessageSize) {
    d.problem(
      'maxFrameSizeBytes',
      `must exceed maxMessageSize (${maxMessageSize}) to carry a full message`,
    );
  }
  const record = maxMessageSize + RING_RECORD_OVERHEAD_BYTES;
  for (const [key, records] of [
    ['appendRingBytes', 2],
    ['tailCacheBytes', 4],
  ] as const) {
    const bytes = d.get(key);
    if (!isPowerOfTwo(bytes)) d.problem(key, `must be a power of two, got ${bytes}`);
    else if (bytes < records * record) {
      d.problem(key, `must hold ${records} records of maxMessageSize (${records * record} bytes)`);
    }
  }
}

/** All cross-field rules of a broker config, in order; derived values replace defaults. */
export function validateBrokerConfig(d: BrokerDraft): void {
  validateRole(d);
  warnControllerKeysUnused(d);
  validateDledger(d);
  validateAddresses(d);
  validateSegments(d);
  validateBrokerSecurity(d);
}

/** All cross-field rules of a NameServer config. */
export function validateNamesrvConfig(d: ConfigDraft<NamesrvConfig>): void {
  if (d.get('scanNotActiveBrokerInterval') > d.get('brokerChannelExpiredTime')) {
    d.problem('scanNotActiveBrokerInterval', 'must not exceed brokerChannelExpiredTime');
  }
  validateTlsServer(d);
}
