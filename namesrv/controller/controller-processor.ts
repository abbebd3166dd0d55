// The controller's request processors (docs/controller.md, "Wire"): decode the RocketMQ 5 header
// (a bad one gets SYSTEM_ERROR naming the field), let the node decide on the Raft leader, and
// encode the reply. BROKER_HEARTBEAT and CONTROLLER_GET_METADATA_INFO are answered by any
// controller; everything else by the ready leader, others answer CONTROLLER_NOT_LEADER with the
// leader's address in the remark and in extFields.controllerLeaderAddress.
//
// RocketMQ: controller/.../processor/ControllerRequestProcessor.java.

import { MqError } from '../../common/errors.js';
import { HeartbeatOutcome } from '../../ha/controller/broker-live-table.js';
import { type Decision, ElectTrigger } from '../../ha/controller/controller-decisions.js';
import {
  AlterSyncStateSetRequestHeader,
  AlterSyncStateSetResponseHeader,
  ApplyBrokerIdRequestHeader,
  ApplyBrokerIdResponseHeader,
  BrokerHeartbeatRequestHeader,
  createExtFields,
  createResponse,
  decodeBrokerNameList,
  decodeSyncStateSet,
  ElectMasterRequestHeader,
  ElectMasterResponseHeader,
  encodeBrokerReplicasInfo,
  GetMetaDataResponseHeader,
  GetNextBrokerIdRequestHeader,
  GetNextBrokerIdResponseHeader,
  GetReplicaInfoRequestHeader,
  GetReplicaInfoResponseHeader,
  type HeaderCodec,
  RegisterBrokerToControllerRequestHeader,
  RegisterBrokerToControllerResponseHeader,
  type RemotingCommand,
  RequestCode,
  ResponseCode,
} from '../../protocol/index.js';
import {
  decodeRequestHeader,
  failure,
  type ProcessorRegistry,
  success,
} from '../../server/request-kit.js';
import type { ControllerNode, DecisionOutcome } from './controller-node.js';

/** Integer.MAX_VALUE: the electionPriority of a broker that did not send one. */
const LOWEST_PRIORITY = 0x7fffffff;

type Handler = (request: RemotingCommand) => Promise<RemotingCommand> | RemotingCommand;

export function registerControllerProcessors(
  registry: ProcessorRegistry,
  node: ControllerNode,
): void {
  const handlers: Array<[number, Handler]> = [
    [RequestCode.BROKER_HEARTBEAT, (r) => heartbeat(node, r)],
    [
      RequestCode.CONTROLLER_GET_METADATA_INFO,
      (r) => success(r, GetMetaDataResponseHeader.encode(node.metadata())),
    ],
    [RequestCode.CONTROLLER_GET_NEXT_BROKER_ID, (r) => getNextBrokerId(node, r)],
    [RequestCode.CONTROLLER_APPLY_BROKER_ID, (r) => applyBrokerId(node, r)],
    [RequestCode.CONTROLLER_REGISTER_BROKER, (r) => registerBroker(node, r)],
    [RequestCode.CONTROLLER_GET_REPLICA_INFO, (r) => getReplicaInfo(node, r)],
    [RequestCode.CONTROLLER_ALTER_SYNC_STATE_SET, (r) => alterSyncStateSet(node, r)],
    [RequestCode.CONTROLLER_ELECT_MASTER, (r) => electMaster(node, r)],
    [RequestCode.CONTROLLER_GET_SYNC_STATE_DATA, (r) => getSyncStateData(node, r)],
  ];
  for (const [code, handler] of handlers) registry.registerProcessor(code, handler);
}

/** The stale-event code per request: the state moved on between decision and commit. */
const STALE_CODES: Readonly<Record<number, number>> = {
  [RequestCode.CONTROLLER_APPLY_BROKER_ID]: ResponseCode.CONTROLLER_BROKER_ID_INVALID,
  [RequestCode.CONTROLLER_REGISTER_BROKER]: ResponseCode.CONTROLLER_BROKER_NEED_TO_BE_REGISTERED,
  [RequestCode.CONTROLLER_ALTER_SYNC_STATE_SET]: ResponseCode.CONTROLLER_FENCED_MASTER_EPOCH,
  [RequestCode.CONTROLLER_ELECT_MASTER]: ResponseCode.CONTROLLER_ELECT_MASTER_FAILED,
};

/** Turns a decision's outcome into the response, encoding the reply header with `codec`. */
function respond<H>(
  request: RemotingCommand,
  outcome: DecisionOutcome<H>,
  codec: HeaderCodec<H>,
): RemotingCommand {
  switch (outcome.kind) {
    case 'NOT_LEADER': {
      const where = outcome.leaderAddress;
      const response = createResponse(
        request,
        ResponseCode.CONTROLLER_NOT_LEADER,
        where === undefined ? 'not leader, leader unknown' : `not leader, leader is ${where}`,
      );
      response.extFields = createExtFields({ controllerLeaderAddress: where });
      return response;
    }
    case 'BUSY':
      return failure(request, ResponseCode.SYSTEM_BUSY, 'the controller request queue is full');
    case 'FAILED':
      return failure(request, ResponseCode.SYSTEM_ERROR, outcome.reason);
    case 'DONE':
      return fromDecision(request, outcome.decision, outcome.stale, codec);
  }
}

function fromDecision<H>(
  request: RemotingCommand,
  decision: Decision<H>,
  stale: string | null,
  codec: HeaderCodec<H>,
): RemotingCommand {
  if (stale !== null) {
    const code = STALE_CODES[request.code] ?? ResponseCode.SYSTEM_ERROR;
    return failure(request, code, `the controller state moved on: ${stale}; retry`);
  }
  const { reply } = decision;
  const response = createResponse(request, reply.code, reply.remark ?? null);
  if (reply.header !== undefined) response.extFields = codec.encode(reply.header);
  if (reply.body !== undefined) response.body = Buffer.from(reply.body);
  return response;
}

function heartbeat(node: ControllerNode, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, BrokerHeartbeatRequestHeader);
  if (!h.ok) return h.response;
  const hb = h.header;
  if (hb.brokerId === undefined) {
    return failure(
      request,
      ResponseCode.CONTROLLER_INVALID_REQUEST,
      'Heart beat with empty brokerId',
    );
  }
  const outcome = node.live.onHeartbeat(
    {
      clusterName: hb.clusterName,
      brokerName: hb.brokerName,
      brokerId: hb.brokerId,
      brokerAddr: hb.brokerAddr,
      epoch: hb.epoch ?? -1,
      maxOffset: hb.maxOffset ?? -1,
      confirmOffset: hb.confirmOffset ?? -1,
      heartbeatTimeoutMs: hb.heartbeatTimeoutMills ?? node.config.controllerHeartBeatTimeoutMills,
      electionPriority: hb.electionPriority ?? LOWEST_PRIORITY,
    },
    node.nowMs(),
  );
  if (outcome === HeartbeatOutcome.TABLE_FULL) {
    return failure(
      request,
      ResponseCode.CONTROLLER_INVALID_REQUEST,
      'the heartbeat table is full of alive brokers (controllerMaxBrokerGroups x controllerMaxReplicasPerGroup)',
    );
  }
  return failure(request, ResponseCode.SUCCESS, 'Heart beat success');
}

async function getNextBrokerId(node: ControllerNode, request: RemotingCommand) {
  const h = decodeRequestHeader(request, GetNextBrokerIdRequestHeader);
  if (!h.ok) return h.response;
  const outcome = await node.decide(() => node.decisions.getNextBrokerId(h.header));
  return respond(request, outcome, GetNextBrokerIdResponseHeader);
}

async function applyBrokerId(node: ControllerNode, request: RemotingCommand) {
  const h = decodeRequestHeader(request, ApplyBrokerIdRequestHeader);
  if (!h.ok) return h.response;
  const outcome = await node.decide(() => node.decisions.applyBrokerId(h.header));
  return respond(request, outcome, ApplyBrokerIdResponseHeader);
}

async function registerBroker(node: ControllerNode, request: RemotingCommand) {
  const h = decodeRequestHeader(request, RegisterBrokerToControllerRequestHeader);
  if (!h.ok) return h.response;
  const outcome = await node.decide((now) => node.decisions.registerBroker(h.header, now));
  return respond(request, outcome, RegisterBrokerToControllerResponseHeader);
}

async function getReplicaInfo(node: ControllerNode, request: RemotingCommand) {
  const h = decodeRequestHeader(request, GetReplicaInfoRequestHeader);
  if (!h.ok) return h.response;
  const outcome = await node.decide(() => node.decisions.getReplicaInfo(h.header.brokerName));
  return respond(request, outcome, GetReplicaInfoResponseHeader);
}

async function alterSyncStateSet(node: ControllerNode, request: RemotingCommand) {
  const h = decodeRequestHeader(request, AlterSyncStateSetRequestHeader);
  if (!h.ok) return h.response;
  let proposed: ReturnType<typeof decodeSyncStateSet>;
  try {
    proposed = decodeSyncStateSet(request.body);
  } catch (error) {
    if (!(error instanceof MqError)) throw error;
    return failure(request, ResponseCode.CONTROLLER_INVALID_REQUEST, error.message);
  }
  const outcome = await node.decide((now) =>
    node.decisions.alterSyncStateSet(h.header, proposed, now),
  );
  return respond(request, outcome, AlterSyncStateSetResponseHeader);
}

async function electMaster(node: ControllerNode, request: RemotingCommand) {
  const h = decodeRequestHeader(request, ElectMasterRequestHeader);
  if (!h.ok) return h.response;
  const trigger = h.header.designateElect === true ? ElectTrigger.ADMIN : ElectTrigger.BROKER;
  const outcome = await node.decide((now) => node.decisions.electMaster(h.header, trigger, now));
  return respond(request, outcome, ElectMasterResponseHeader);
}

async function getSyncStateData(node: ControllerNode, request: RemotingCommand) {
  let brokerNames: string[];
  try {
    brokerNames = decodeBrokerNameList(request.body);
  } catch (error) {
    if (!(error instanceof MqError)) throw error;
    return failure(request, ResponseCode.CONTROLLER_INVALID_REQUEST, error.message);
  }
  const outcome = await node.decide((now) => ({
    reply: {
      code: ResponseCode.SUCCESS,
      body: encodeBrokerReplicasInfo(node.decisions.syncStateData(brokerNames, now)),
    },
  }));
  return respond(request, outcome, GetReplicaInfoResponseHeader);
}
