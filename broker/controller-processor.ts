// The two requests a broker answers in RocketMQ 5 controller mode: NOTIFY_BROKER_ROLE_CHANGED
// (1008, one-way from the controller leader: the group's master and epoch changed) and
// GET_BROKER_EPOCH_CACHE (1007, mqadmin getBrokerEpoch: the broker's epoch entries). A broker not
// in controller mode refuses both with SYSTEM_ERROR, as RocketMQ does.
//
// RocketMQ: broker/.../processor/AdminBrokerProcessor.java (notifyBrokerRoleChanged,
// getBrokerEpochCache).

import type { BrokerConfig } from '../config/load.js';
import {
  decodeSyncStateSet,
  EPOCH_END_OPEN,
  type EpochEntryCache,
  encodeEpochEntryCache,
  NotifyBrokerRoleChangedRequestHeader,
  type RemotingCommand,
  RequestCode,
  ResponseCode,
} from '../protocol/index.js';
import {
  decodeRequestHeader,
  failure,
  type ProcessorRegistry,
  success,
} from '../server/request-kit.js';
import type { BrokerControllerMode } from './broker-controller.js';

const NOT_CONTROLLER_MODE = 'this broker is not in controller mode (enableControllerMode=false)';

export function registerControllerModeProcessors(
  server: ProcessorRegistry,
  mode: BrokerControllerMode | undefined,
  config: Pick<BrokerConfig, 'brokerClusterName' | 'brokerName'>,
): void {
  server.registerProcessor(RequestCode.NOTIFY_BROKER_ROLE_CHANGED, (r) => notify(r, mode));
  server.registerProcessor(RequestCode.GET_BROKER_EPOCH_CACHE, (r) =>
    mode === undefined
      ? failure(r, ResponseCode.SYSTEM_ERROR, NOT_CONTROLLER_MODE)
      : success(r, {}, encodeEpochEntryCache(epochCache(mode, config))),
  );
}

/** This broker's epochs, each ending where the next starts, the newest one open-ended. */
function epochCache(
  mode: BrokerControllerMode,
  config: Pick<BrokerConfig, 'brokerClusterName' | 'brokerName'>,
): EpochEntryCache {
  const entries = mode.epochEntries;
  return {
    clusterName: config.brokerClusterName,
    brokerName: config.brokerName,
    brokerId: mode.brokerId,
    epochList: entries.map((e, i) => ({
      epoch: e.epoch,
      startOffset: e.startOffset,
      endOffset: entries[i + 1]?.startOffset ?? EPOCH_END_OPEN,
    })),
    maxOffset: mode.store.getMaxPhyOffset(),
  };
}

function notify(request: RemotingCommand, mode: BrokerControllerMode | undefined): RemotingCommand {
  if (mode === undefined) return failure(request, ResponseCode.SYSTEM_ERROR, NOT_CONTROLLER_MODE);
  const header = decodeRequestHeader(request, NotifyBrokerRoleChangedRequestHeader);
  if (!header.ok) return header.response;
  const h = header.header;
  if (h.masterEpoch === undefined)
    return failure(request, ResponseCode.SYSTEM_ERROR, 'masterEpoch is missing');
  let syncStateSet: ReturnType<typeof decodeSyncStateSet> | undefined;
  try {
    syncStateSet =
      request.body === null || request.body.byteLength === 0
        ? undefined
        : decodeSyncStateSet(request.body);
  } catch (error) {
    return failure(request, ResponseCode.SYSTEM_ERROR, String(error));
  }
  mode.onRoleNotification({
    masterBrokerId: h.masterBrokerId,
    masterAddress: h.masterAddress,
    masterEpoch: h.masterEpoch,
    syncStateSet,
  });
  return success(request);
}
