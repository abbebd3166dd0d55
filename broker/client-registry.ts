// Which clients are connected to the broker: consumer groups (their members, subscriptions and
// consume settings, as the last heartbeat stated them) and producer groups. A client counts as
// present while its heartbeats keep coming (clientChannelExpiredTime) and its connection is open.
// Pure: time comes from an injected clock and connections are opaque values with an id.
//
// RocketMQ: broker/.../client/ConsumerManager.java, ConsumerGroupInfo.java, ProducerManager.java,
// ClientHousekeepingService.java (scan every 10 s, expiry 120 s, channel close).
//
// Bounds: at most maxClients (client id, group) registrations of both kinds together; a
// registration beyond it is refused (the heartbeat gets SYSTEM_BUSY).

import { assert } from '../common/assert.js';
import type { Clock } from '../common/clock.js';
import type { SubscriptionData } from '../protocol/index.js';

export interface ClientEntry<C> {
  clientId: string;
  channel: C;
  lastUpdateMs: number;
}

export interface ConsumerGroupState<C> {
  group: string;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  subscriptions: Map<string, SubscriptionData>;
  clients: Map<string, ClientEntry<C>>;
}

export interface ConsumerSettings {
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  subscriptions: readonly SubscriptionData[];
}

export type RegisterOutcome = { ok: true; membersChanged: boolean } | { ok: false };

export class ClientRegistry<C extends { readonly id: number }> {
  readonly #clock: Clock;
  readonly #maxClients: number;
  readonly #expiredTimeMs: number;
  readonly #consumers = new Map<string, ConsumerGroupState<C>>();
  readonly #producers = new Map<string, Map<string, ClientEntry<C>>>();
  #count = 0;

  constructor(options: { clock: Clock; maxClients: number; channelExpiredTimeMs: number }) {
    assert(options.maxClients >= 1, 'at least one client');
    assert(options.channelExpiredTimeMs > 0, 'client expiry is positive');
    this.#clock = options.clock;
    this.#maxClients = options.maxClients;
    this.#expiredTimeMs = options.channelExpiredTimeMs;
  }

  /** Registrations held (consumers and producers). */
  get size(): number {
    return this.#count;
  }

  /** HEART_BEAT, consumer part: joins or refreshes a member and takes its settings. */
  registerConsumer(
    group: string,
    clientId: string,
    channel: C,
    s: ConsumerSettings,
  ): RegisterOutcome {
    let state = this.#consumers.get(group);
    const isNewMember = state?.clients.has(clientId) !== true;
    if (isNewMember && this.#count >= this.#maxClients) return { ok: false };
    if (state === undefined) {
      state = {
        group,
        consumeType: s.consumeType,
        messageModel: s.messageModel,
        consumeFromWhere: s.consumeFromWhere,
        subscriptions: new Map(),
        clients: new Map(),
      };
      this.#consumers.set(group, state);
    }
    state.consumeType = s.consumeType;
    state.messageModel = s.messageModel;
    state.consumeFromWhere = s.consumeFromWhere;
    this.#updateSubscriptions(state, s.subscriptions);
    const previous = state.clients.get(clientId);
    const channelChanged = previous !== undefined && previous.channel.id !== channel.id;
    state.clients.set(clientId, { clientId, channel, lastUpdateMs: this.#clock.monotonicMs() });
    if (isNewMember) this.#count++;
    return { ok: true, membersChanged: isNewMember || channelChanged };
  }

  /** The heartbeat states the whole subscription set: newer versions win, absent topics go. */
  #updateSubscriptions(state: ConsumerGroupState<C>, subs: readonly SubscriptionData[]): void {
    const topics = new Set<string>();
    for (const sub of subs) {
      topics.add(sub.topic);
      const old = state.subscriptions.get(sub.topic);
      if (old === undefined || old.subVersion <= sub.subVersion) {
        state.subscriptions.set(sub.topic, sub);
      }
    }
    for (const topic of [...state.subscriptions.keys()]) {
      if (!topics.has(topic)) state.subscriptions.delete(topic);
    }
  }

  /** HEART_BEAT, producer part. */
  registerProducer(group: string, clientId: string, channel: C): boolean {
    let members = this.#producers.get(group);
    const isNew = members?.has(clientId) !== true;
    if (isNew && this.#count >= this.#maxClients) return false;
    if (members === undefined) {
      members = new Map();
      this.#producers.set(group, members);
    }
    members.set(clientId, { clientId, channel, lastUpdateMs: this.#clock.monotonicMs() });
    if (isNew) this.#count++;
    return true;
  }

  /** UNREGISTER_CLIENT for a consumer; true when the group's members changed. */
  unregisterConsumer(group: string, clientId: string): boolean {
    const state = this.#consumers.get(group);
    if (state?.clients.delete(clientId) !== true) return false;
    this.#count--;
    if (state.clients.size === 0) this.#consumers.delete(group);
    return true;
  }

  unregisterProducer(group: string, clientId: string): void {
    const members = this.#producers.get(group);
    if (members?.delete(clientId) !== true) return;
    this.#count--;
    if (members.size === 0) this.#producers.delete(group);
  }

  /** Client ids of a consumer group, sorted. */
  consumerIds(group: string): string[] {
    return [...(this.#consumers.get(group)?.clients.keys() ?? [])].sort();
  }

  consumerChannels(group: string): C[] {
    return [...(this.#consumers.get(group)?.clients.values() ?? [])].map((e) => e.channel);
  }

  consumerGroup(group: string): Readonly<ConsumerGroupState<C>> | undefined {
    return this.#consumers.get(group);
  }

  consumerGroups(): string[] {
    return [...this.#consumers.keys()];
  }

  /** The most recently seen connection of a producer of `group` (transaction checks). */
  producerChannel(group: string): C | undefined {
    let best: ClientEntry<C> | undefined;
    for (const entry of this.#producers.get(group)?.values() ?? []) {
      if (best === undefined || entry.lastUpdateMs > best.lastUpdateMs) best = entry;
    }
    return best?.channel;
  }

  /** The connection of the producer with `clientId`, in any group (request/reply pushes). */
  producerChannelOfClient(clientId: string): C | undefined {
    for (const members of this.#producers.values()) {
      const entry = members.get(clientId);
      if (entry !== undefined) return entry.channel;
    }
    return undefined;
  }

  /** The producers of a group (GET_PRODUCER_CONNECTION_LIST). */
  producers(group: string): ClientEntry<C>[] {
    return [...(this.#producers.get(group)?.values() ?? [])];
  }

  producerCount(): number {
    let n = 0;
    for (const members of this.#producers.values()) n += members.size;
    return n;
  }

  /** A connection closed: drops its registrations; returns the consumer groups that changed. */
  onChannelClosed(channelId: number): string[] {
    return this.#dropWhere((entry) => entry.channel.id === channelId);
  }

  /**
   * Drops clients whose last heartbeat is older than the expiry; returns the consumer groups
   * that changed and the channels of the expired clients (the host closes them, as Java does).
   */
  scanExpired(): { groups: string[]; channels: C[] } {
    const deadline = this.#clock.monotonicMs() - this.#expiredTimeMs;
    const channels: C[] = [];
    const groups = this.#dropWhere((entry) => {
      if (entry.lastUpdateMs >= deadline) return false;
      channels.push(entry.channel);
      return true;
    });
    return { groups, channels };
  }

  #dropWhere(match: (entry: ClientEntry<C>) => boolean): string[] {
    const changed: string[] = [];
    for (const [group, state] of [...this.#consumers]) {
      for (const [clientId, entry] of [...state.clients]) {
        if (!match(entry)) continue;
        state.clients.delete(clientId);
        this.#count--;
        if (!changed.includes(group)) changed.push(group);
      }
      if (state.clients.size === 0) this.#consumers.delete(group);
    }
    for (const [group, members] of [...this.#producers]) {
      for (const [clientId, entry] of [...members]) {
        if (!match(entry)) continue;
        members.delete(clientId);
        this.#count--;
      }
      if (members.size === 0) this.#producers.delete(group);
    }
    assert(this.#count >= 0, 'client count never negative');
    return changed;
  }
}
