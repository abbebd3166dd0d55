// The admin operations behind mqadmin's day-to-day commands: delete a topic or a subscription
// group, create or update a group, list a group's connections, reset a group's offsets to a time,
// read a broker's config or change its live keys, wipe or restore a broker group's write
// permission on the NameServers, and a per-group replication summary (haStatus). Every request is
// RocketMQ's, so the same operations work against RocketMQ brokers.
//
// RocketMQ: tools/.../admin/DefaultMQAdminExtImpl.java (deleteTopicInBroker, deleteTopicInNameServer,
// createAndUpdateSubscriptionGroupConfig, deleteSubscriptionGroup, examineConsumerConnectionInfo,
// examineProducerConnectionInfo, resetOffsetByTimestamp, getBrokerConfig, updateBrokerConfig,
// wipeWritePermOfBroker, addWritePermOfBroker).

import { type ClusterInfo, decodeClusterInfo } from '../protocol/bodies/cluster-info.js';
import {
  type ConsumerConnection,
  decodeConsumerConnection,
  decodeProducerConnection,
  type ProducerConnection,
} from '../protocol/bodies/connection-bodies.js';
import { type HaStatusBody, parseHaStatus } from '../protocol/bodies/ha-status-body.js';
import { encodeJsonBody } from '../protocol/bodies/json-body.js';
import { decodeResetOffsetBody } from '../protocol/bodies/offset-tables.js';
import { decodeKvTable } from '../protocol/bodies/simple-bodies.js';
import { createRequest, type RemotingCommand } from '../protocol/remoting-command.js';
import { DLedgerRequestCode, RequestCode } from '../protocol/request-code.js';
import { ClientInstance, remoteError, type Target } from './client-instance.js';
import { type ClientOptions, resolveClientOptions } from './client-options.js';
import { retryTopicOf } from './message.js';

export interface SubscriptionGroupSettings {
  groupName: string;
  consumeEnable?: boolean;
  consumeFromMinEnable?: boolean;
  consumeBroadcastEnable?: boolean;
  retryQueueNums?: number;
  retryMaxTimes?: number;
  brokerId?: number;
  whichBrokerWhenConsumeSlowly?: number;
  notifyConsumerIdsChangedEnable?: boolean;
}

/** Where a command applies: one broker address, or every master of a cluster. */
export type Scope = { brokerAddr: string } | { clusterName: string };

export interface ResetOffsetRow {
  brokerName: string;
  queueId: number;
  offset: number;
}

export interface HaGroupStatus {
  clusterName: string;
  brokerName: string;
  master: string | null;
  replicas: Array<{ brokerId: number; address: string }>;
  /** Master figures (RocketMQ HAService names) from GET_BROKER_RUNTIME_INFO; null if silent. */
  haConnectionCount: number | null;
  slaveAckOffset: number | null;
  slaveFallBehindBytes: number | null;
  commitLogMaxOffset: number | null;
  /** Petrel's replication details from the master (null when silent or not a Petrel broker). */
  ha: HaStatusBody | null;
}

export class AdminOps {
  readonly #instance: ClientInstance;

  constructor(options: ClientOptions) {
    this.#instance = new ClientInstance(resolveClientOptions(options));
  }

  close(): Promise<void> {
    return this.#instance.close();
  }

  async clusterInfo(): Promise<ClusterInfo> {
    const request = createRequest(RequestCode.GET_BROKER_CLUSTER_INFO);
    const { response, target } = await this.#instance.invokeNameServer(request);
    return decodeClusterInfo(this.#ok(target, request, response).body);
  }

  #ok(target: Target, request: RemotingCommand, response: RemotingCommand): RemotingCommand {
    if (response.code !== 0) throw remoteError(target, request, response);
    return response;
  }

  /** The masters a scope names: the one broker, or each master of the cluster. */
  async targets(scope: Scope): Promise<Target[]> {
    if ('brokerAddr' in scope) return [{ address: scope.brokerAddr, brokerName: scope.brokerAddr }];
    const info = await this.clusterInfo();
    const names = info.clusterAddrTable[scope.clusterName];
    if (names === undefined)
      throw new TypeError(`no cluster "${scope.clusterName}" on the NameServer`);
    const targets: Target[] = [];
    for (const brokerName of names) {
      const address = info.brokerAddrTable[brokerName]?.brokerAddrs['0'];
      if (address !== undefined) targets.push({ address, brokerName });
    }
    return targets;
  }

  /** Every NameServer, each asked in turn (a NameServer does not share its table). */
  #nameServers(): Target[] {
    return this.#instance.options.namesrvAddrs.map((address) => ({
      address,
      brokerName: 'namesrv',
    }));
  }

  async deleteTopic(topic: string, clusterName: string): Promise<Target[]> {
    const targets = await this.targets({ clusterName });
    for (const target of targets) {
      await this.#instance.invokeOk(
        target,
        createRequest(RequestCode.DELETE_TOPIC_IN_BROKER, { topic }),
      );
    }
    for (const ns of this.#nameServers()) {
      await this.#instance.invokeOk(
        ns,
        createRequest(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic }),
      );
    }
    return targets;
  }

  async updateSubGroup(scope: Scope, settings: SubscriptionGroupSettings): Promise<Target[]> {
    const body = encodeJsonBody({
      brokerId: settings.brokerId ?? 0,
      consumeBroadcastEnable: settings.consumeBroadcastEnable ?? true,
      consumeEnable: settings.consumeEnable ?? true,
      consumeFromMinEnable: settings.consumeFromMinEnable ?? true,
      groupName: settings.groupName,
      notifyConsumerIdsChangedEnable: settings.notifyConsumerIdsChangedEnable ?? true,
      retryMaxTimes: settings.retryMaxTimes ?? 16,
      retryQueueNums: settings.retryQueueNums ?? 1,
      whichBrokerWhenConsumeSlowly: settings.whichBrokerWhenConsumeSlowly ?? 1,
    });
    const targets = await this.targets(scope);
    for (const target of targets) {
      const request = createRequest(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {}, body);
      await this.#instance.invokeOk(target, request);
    }
    return targets;
  }

  async deleteSubGroup(scope: Scope, groupName: string, removeOffset: boolean): Promise<Target[]> {
    const targets = await this.targets(scope);
    for (const target of targets) {
      const request = createRequest(RequestCode.DELETE_SUBSCRIPTIONGROUP, {
        groupName,
        removeOffset,
      });
      await this.#instance.invokeOk(target, request);
    }
    return targets;
  }

  /** The consumers of a group, from a master serving its retry topic (as RocketMQ asks). */
  async consumerConnection(group: string): Promise<ConsumerConnection> {
    const route = await this.#instance.fetchRoute(retryTopicOf(group));
    const addresses = (route?.brokerDatas ?? []).flatMap((d) => Object.values(d.brokerAddrs));
    if (addresses.length === 0) throw new TypeError(`the consumer group ${group} is not online`);
    let lastError: unknown;
    for (const address of addresses) {
      const request = createRequest(RequestCode.GET_CONSUMER_CONNECTION_LIST, {
        consumerGroup: group,
      });
      try {
        const response = await this.#instance.invokeOk({ address, brokerName: address }, request);
        return decodeConsumerConnection(response.body);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** The producers of a group, from the masters of a topic they send to. */
  async producerConnection(group: string, topic: string): Promise<ProducerConnection> {
    const route = await this.#instance.fetchRoute(topic);
    const connectionSet: ProducerConnection['connectionSet'] = [];
    for (const data of route?.brokerDatas ?? []) {
      const address = data.brokerAddrs['0'];
      if (address === undefined) continue;
      const request = createRequest(RequestCode.GET_PRODUCER_CONNECTION_LIST, {
        producerGroup: group,
      });
      const response = await this.#instance.invoke(
        { address, brokerName: data.brokerName },
        request,
        this.#instance.options.requestTimeoutMs,
      );
      if (response.code === 0)
        connectionSet.push(...decodeProducerConnection(response.body).connectionSet);
    }
    return { connectionSet };
  }

  /** Resets the group's offsets on every master of the topic to the first message at or after `timestamp` (-1: the end). */
  async resetOffsetByTime(
    group: string,
    topic: string,
    timestamp: number,
    isForce: boolean,
  ): Promise<ResetOffsetRow[]> {
    const route = await this.#instance.fetchRoute(topic);
    const rows: ResetOffsetRow[] = [];
    for (const data of route?.brokerDatas ?? []) {
      const address = data.brokerAddrs['0'];
      if (address === undefined) continue;
      const ext = { topic, group, timestamp, isForce };
      // Slaves first: replicas merge offsets by maximum, so each must take a reset backwards.
      for (const [id, slave] of Object.entries(data.brokerAddrs)) {
        if (id === '0') continue;
        const toSlave = createRequest(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, ext);
        await this.#instance.invokeOk({ address: slave, brokerName: data.brokerName }, toSlave);
      }
      const request = createRequest(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, ext);
      const response = await this.#instance.invokeOk(
        { address, brokerName: data.brokerName },
        request,
      );
      for (const entry of decodeResetOffsetBody(response.body).offsetTable) {
        rows.push({
          brokerName: entry.messageQueue.brokerName,
          queueId: entry.messageQueue.queueId,
          offset: entry.value,
        });
      }
    }
    if (route === null) throw new TypeError(`no route for topic ${topic}`);
    return rows.sort((a, b) => a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId);
  }

  /** GET_BROKER_CONFIG of each broker of the scope, as key-value tables. */
  async getBrokerConfig(
    scope: Scope,
  ): Promise<Array<{ target: Target; config: Record<string, string> }>> {
    const out = [];
    for (const target of await this.targets(scope)) {
      const response = await this.#instance.invokeOk(
        target,
        createRequest(RequestCode.GET_BROKER_CONFIG),
      );
      out.push({ target, config: parsePropertiesText(response.body?.toString('utf8') ?? '') });
    }
    return out;
  }

  async updateBrokerConfig(scope: Scope, key: string, value: string): Promise<Target[]> {
    const targets = await this.targets(scope);
    const body = Buffer.from(`${key}=${value}\n`, 'utf8');
    for (const target of targets) {
      await this.#instance.invokeOk(
        target,
        createRequest(RequestCode.UPDATE_BROKER_CONFIG, {}, body),
      );
    }
    return targets;
  }

  /**
   * DLedger LEADERSHIP_TRANSFER: asks the group's routed master (the Raft leader) to hand over to
   * member `transfereeId`, then waits (up to timeoutMs) until the NameServer routes another master
   * whose runtime info names that member. Resolves with the old and new master addresses.
   * @throws MqError (the broker's refusal, e.g. not in DLedger mode or an unknown member), or
   *   E_TIMEOUT-style TypeError when the new master does not appear in time.
   */
  async leadershipTransfer(
    brokerName: string,
    transfereeId: string,
    timeoutMs: number,
  ): Promise<{ status: string; from: string; to: string }> {
    const masterOf = async () =>
      (await this.clusterInfo()).brokerAddrTable[brokerName]?.brokerAddrs['0'];
    const from = await masterOf();
    if (from === undefined) throw new TypeError(`broker group "${brokerName}" has no master`);
    const response = await this.#instance.invokeOk(
      { address: from, brokerName },
      createRequest(DLedgerRequestCode.LEADERSHIP_TRANSFER, { transfereeId }),
    );
    const status = response.extFields['status'] ?? '';
    if (status === 'ALREADY_LEADER') return { status, from, to: from };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const to = await masterOf();
      if (to !== undefined && to !== from) {
        const info = await this.#instance.invokeOk(
          { address: to, brokerName },
          createRequest(RequestCode.GET_BROKER_RUNTIME_INFO),
        );
        const table = decodeKvTable(info.body).table;
        if (table['dLegerSelfId'] === transfereeId) return { status, from, to };
      }
      if (Date.now() >= deadline)
        throw new TypeError(
          `${transfereeId} did not become the master of "${brokerName}" within ${timeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** WIPE_WRITE_PERM_OF_BROKER or ADD_WRITE_PERM_OF_BROKER on every NameServer: topic counts by address. */
  async writePerm(
    brokerName: string,
    wipe: boolean,
  ): Promise<Array<{ namesrv: string; topicCount: number }>> {
    const code = wipe
      ? RequestCode.WIPE_WRITE_PERM_OF_BROKER
      : RequestCode.ADD_WRITE_PERM_OF_BROKER;
    const field = wipe ? 'wipeTopicCount' : 'addTopicCount';
    const out = [];
    for (const ns of this.#nameServers()) {
      const response = await this.#instance.invokeOk(ns, createRequest(code, { brokerName }));
      out.push({ namesrv: ns.address, topicCount: Number(response.extFields[field] ?? 0) });
    }
    return out;
  }

  /** Per broker group: master, replicas and the master's replication figures. */
  async haStatus(): Promise<HaGroupStatus[]> {
    const info = await this.clusterInfo();
    const rows: HaGroupStatus[] = [];
    for (const [clusterName, names] of Object.entries(info.clusterAddrTable)) {
      for (const brokerName of [...names].sort()) {
        const addrs = info.brokerAddrTable[brokerName]?.brokerAddrs ?? {};
        const master = addrs['0'] ?? null;
        const runtime =
          master === null ? null : await this.#runtime({ address: master, brokerName });
        const figure = (key: string) =>
          runtime?.[key] === undefined ? null : Number(runtime[key]);
        rows.push({
          clusterName,
          brokerName,
          master,
          replicas: Object.entries(addrs)
            .filter(([id]) => id !== '0')
            .map(([id, address]) => ({ brokerId: Number(id), address }))
            .sort((a, b) => a.brokerId - b.brokerId),
          haConnectionCount: figure('haConnectionCount'),
          slaveAckOffset: figure('push2SlaveMaxOffset'),
          slaveFallBehindBytes: figure('slaveFallBehindMuch'),
          commitLogMaxOffset: figure('commitLogMaxOffset'),
          ha: parseHaStatus(runtime),
        });
      }
    }
    return rows;
  }

  async #runtime(target: Target): Promise<Record<string, string> | null> {
    try {
      const response = await this.#instance.invokeOk(
        target,
        createRequest(RequestCode.GET_BROKER_RUNTIME_INFO),
      );
      return decodeKvTable(response.body).table;
    } catch {
      return null;
    }
  }
}

/** `key=value` lines as GET_BROKER_CONFIG answers them. */
function parsePropertiesText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && !line.startsWith('#')) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
