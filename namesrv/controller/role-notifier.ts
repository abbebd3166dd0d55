// Sends NOTIFY_BROKER_ROLE_CHANGED (one-way) to the alive replicas of a group after an election:
// the new master's id, address and epochs in the header, the new SyncStateSet as the body. A lost
// notification is healed by the brokers' own GET_REPLICA_INFO polling.
//
// One remoting client per broker address, at most maxClients (the longest unused one is closed
// to make room).
//
// RocketMQ: controller/.../ControllerManager.java (notifyBrokerRoleChanged, NotifyService).

import type { GroupState } from '../../ha/controller/replicas-state.js';
import {
  createRequest,
  encodeSyncStateSet,
  type Logger,
  NotifyBrokerRoleChangedRequestHeader,
  RemotingClient,
  RequestCode,
} from '../../protocol/index.js';

export class RoleNotifier {
  readonly #logger: Logger;
  readonly #maxClients: number;
  readonly #clients = new Map<string, RemotingClient>();

  constructor(logger: Logger, maxClients: number) {
    this.#logger = logger;
    this.#maxClients = maxClients;
  }

  notify(group: GroupState, addresses: readonly string[]): void {
    const master = group.masterBrokerId;
    const header = NotifyBrokerRoleChangedRequestHeader.encode({
      ...(master === null
        ? {}
        : { masterBrokerId: master, masterAddress: group.replicas.get(master)?.address ?? '' }),
      masterEpoch: group.masterEpoch,
      syncStateSetEpoch: group.syncStateSetEpoch,
    });
    const body = encodeSyncStateSet({
      syncStateSet: [...group.syncStateSet],
      syncStateSetEpoch: group.syncStateSetEpoch,
    });
    for (const address of addresses) {
      const request = createRequest(RequestCode.NOTIFY_BROKER_ROLE_CHANGED, header, body);
      this.#client(address)
        .invokeOneway(request)
        .catch((error: unknown) => {
          this.#logger.warn('Role change notification not delivered', {
            brokerAddr: address,
            brokerName: group.brokerName,
            error: String(error),
          });
        });
    }
  }

  #client(address: string): RemotingClient {
    const known = this.#clients.get(address);
    if (known !== undefined) {
      // Most recently used last, so the first entry is the one to evict.
      this.#clients.delete(address);
      this.#clients.set(address, known);
      return known;
    }
    if (this.#clients.size >= this.#maxClients) {
      const [oldest, client] = this.#clients.entries().next().value!;
      this.#clients.delete(oldest);
      void client.close();
    }
    const client = new RemotingClient({ address, logger: this.#logger, connectTimeoutMs: 1000 });
    this.#clients.set(address, client);
    return client;
  }

  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((c) => c.close()));
  }
}
