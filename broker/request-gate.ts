// The broker's request gate: every request code the broker serves is registered with the remoting
// server at once and answered SYSTEM_BUSY until the broker is ready (and again once it shuts down);
// handlers are attached in between, and each answer is counted in the RPC traffic figures.

import { assert } from '../common/assert.js';
import type { Clock } from '../common/clock.js';
import {
  DLedgerRequestCode,
  type RemotingCommand,
  type RemotingConnection,
  type RemotingServer,
  RequestCode,
  type RequestHandler,
  ResponseCode,
} from '../protocol/index.js';
import { failure, type ProcessorRegistry } from '../server/request-kit.js';
import type { BrokerTraffic } from './metrics/broker-traffic.js';

/** Every request code the broker serves (others get REQUEST_CODE_NOT_SUPPORTED). */
export const BROKER_REQUEST_CODES: readonly number[] = Object.freeze([
  RequestCode.SEND_MESSAGE,
  RequestCode.SEND_MESSAGE_V2,
  RequestCode.SEND_BATCH_MESSAGE,
  RequestCode.CONSUMER_SEND_MSG_BACK,
  RequestCode.PULL_MESSAGE,
  RequestCode.HEART_BEAT,
  RequestCode.UNREGISTER_CLIENT,
  RequestCode.GET_CONSUMER_LIST_BY_GROUP,
  RequestCode.QUERY_CONSUMER_OFFSET,
  RequestCode.UPDATE_CONSUMER_OFFSET,
  RequestCode.CHECK_CLIENT_CONFIG,
  RequestCode.END_TRANSACTION,
  RequestCode.SEND_REPLY_MESSAGE,
  RequestCode.SEND_REPLY_MESSAGE_V2,
  RequestCode.LOCK_BATCH_MQ,
  RequestCode.UNLOCK_BATCH_MQ,
  RequestCode.GET_MAX_OFFSET,
  RequestCode.GET_MIN_OFFSET,
  RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
  RequestCode.GET_EARLIEST_MSG_STORETIME,
  RequestCode.QUERY_MESSAGE,
  RequestCode.VIEW_MESSAGE_BY_ID,
  RequestCode.UPDATE_AND_CREATE_TOPIC,
  RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
  RequestCode.GET_BROKER_CONFIG,
  RequestCode.GET_BROKER_RUNTIME_INFO,
  DLedgerRequestCode.LEADERSHIP_TRANSFER,
  RequestCode.GET_ALL_TOPIC_CONFIG,
  RequestCode.GET_ALL_CONSUMER_OFFSET,
  RequestCode.GET_ALL_DELAY_OFFSET,
  RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
  RequestCode.GET_TOPIC_STATS_INFO,
  RequestCode.GET_CONSUME_STATS,
  RequestCode.VIEW_BROKER_STATS_DATA,
  RequestCode.QUERY_TOPIC_CONSUME_BY_WHO,
  RequestCode.DELETE_TOPIC_IN_BROKER,
  RequestCode.DELETE_SUBSCRIPTIONGROUP,
  RequestCode.GET_CONSUMER_CONNECTION_LIST,
  RequestCode.GET_PRODUCER_CONNECTION_LIST,
  RequestCode.INVOKE_BROKER_TO_RESET_OFFSET,
  RequestCode.UPDATE_BROKER_CONFIG,
  RequestCode.NOTIFY_BROKER_ROLE_CHANGED,
  RequestCode.GET_BROKER_EPOCH_CACHE,
]);

/** Answers every known request code; handlers are attached once the broker is ready. */
export class RequestGate implements ProcessorRegistry {
  readonly #codes: ReadonlySet<number>;
  readonly #traffic: BrokerTraffic;
  readonly #clock: Clock;
  readonly #handlers = new Map<number, RequestHandler>();
  #state: 'STARTING' | 'OPEN' | 'CLOSED' = 'STARTING';

  constructor(
    server: RemotingServer,
    codes: readonly number[],
    traffic: BrokerTraffic,
    clock: Clock,
  ) {
    this.#codes = new Set(codes);
    this.#traffic = traffic;
    this.#clock = clock;
    for (const code of codes) {
      server.registerProcessor(code, (request, connection) =>
        this.#dispatch(code, request, connection),
      );
    }
  }

  registerProcessor(code: number, handler: RequestHandler): void {
    assert(this.#codes.has(code), 'the gate lists every request code');
    assert(!this.#handlers.has(code), 'one handler per request code');
    this.#handlers.set(code, handler);
  }

  open(): void {
    assert(this.#handlers.size === this.#codes.size, 'every listed request code has a handler');
    this.#state = 'OPEN';
  }

  close(): void {
    this.#state = 'CLOSED';
  }

  #dispatch(code: number, request: RemotingCommand, connection: RemotingConnection) {
    const handler = this.#handlers.get(code);
    if (this.#state === 'OPEN' && handler !== undefined) {
      const startMs = this.#clock.monotonicMs();
      const answer = (response: RemotingCommand | null) => {
        if (response !== null) {
          this.#traffic.recordRpc(code, response.code, this.#clock.monotonicMs() - startMs);
        }
        return response;
      };
      const result = handler(request, connection);
      return result instanceof Promise ? result.then(answer) : answer(result);
    }
    const remark =
      this.#state === 'CLOSED' ? 'the broker is shutting down' : 'the broker is starting';
    return failure(request, ResponseCode.SYSTEM_BUSY, remark);
  }
}
