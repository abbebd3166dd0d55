// What the broker's request processors share: the config, the role, the store and the managers
// of topics, groups, offsets, clients, held pulls and delayed messages. Built once by broker.ts;
// processors receive it and never reach back into the broker itself.
//
// RocketMQ: the BrokerController fields the processors use (getTopicConfigManager(),
// getConsumerOffsetManager(), getMessageStore(), ...).

import type { Clock } from '../common/clock.js';
import type { BrokerConfig } from '../config/load.js';
import type { BrokerStore as MessageStore } from '../engine/internal.js';
import type { Logger, RemotingConnection } from '../protocol/index.js';
import type { BrokerRoleState } from './broker-role.js';
import type { ClientRegistry } from './client-registry.js';
import type { ConsumerOffsetManager } from './consumer-offset-manager.js';
import type { HaView } from './ha-status/ha-view.js';
import type { BrokerTraffic } from './metrics/broker-traffic.js';
import type { StatsWindows } from './metrics/stats-windows.js';
import type { PullHoldService } from './pull-hold-service.js';
import type { ScheduleMessageService } from './schedule-message-service.js';
import type { SubscriptionGroupManager } from './subscription-group-manager.js';
import type { TopicConfigManager } from './topic-config-manager.js';
import type { TransactionService } from './transaction/transaction-service.js';

/** Counters for GET_BROKER_RUNTIME_INFO. */
export interface BrokerStats {
  msgPutTotal: number;
  msgGetTotal: number;
  bootTimestamp: number;
  /** Per-topic and per-request counts for the metrics endpoint. */
  traffic: BrokerTraffic;
  /** statsAll's minute, hour and day windows over the traffic counters. */
  windows: StatsWindows;
}

export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly role: BrokerRoleState;
  /** The current store (a slave's store is replaced after a divergence cut: read it each time). */
  readonly store: MessageStore;
  /** Whether pulls are served here: a master always; a slave with slaveReadEnable or while its master is away. */
  servesReads(): boolean;
  readonly topics: TopicConfigManager;
  readonly groups: SubscriptionGroupManager;
  readonly offsets: ConsumerOffsetManager;
  readonly clients: ClientRegistry<RemotingConnection>;
  readonly holds: PullHoldService;
  readonly schedule: ScheduleMessageService;
  /** Half messages, END_TRANSACTION and the transaction check service. */
  readonly transactions: TransactionService;
  /** Delay of each level in ms (messageDelayLevel), level 1 first. */
  readonly delayLevels: readonly number[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** brokerIP1:listenPort, what the NameServers hand out. */
  readonly brokerAddr: string;
  /** Memory the slave-read rule compares a consumer's lag with (accessMessageInMemoryMaxRatio). */
  readonly memoryBytes: number;
  readonly stats: BrokerStats;
  /** DLedger or controller-mode figures for runtime info (role, term or epoch, leader). */
  replicationInfo?(): Record<string, number | string>;
  /**
   * The topic table changed: registers with the NameServers (`only` those topics when given, else
   * the whole table). The promise settles when that round is over (it never rejects); callers that
   * need not wait use `void`.
   */
  topicsChanged(only?: readonly string[]): Promise<void>;
  /** Replication status for the metrics and haStatus; another HA mode plugs its provider in here. */
  readonly ha: HaView;
}
