// Runs mqadmin's controller-mode commands (mqadmin-controller-commands.ts): find the controller
// leader from -a (CONTROLLER_GET_METADATA_INFO on each address), send it the RocketMQ 5 request,
// and return the text and JSON forms. A refusal is an MqError naming the controller and the
// response code, as every other mqadmin failure.
//
// RocketMQ: tools/.../command/controller/*, tools/.../command/ha/GetSyncStateSetSubCommand.java.

import { Admin } from '../client/admin.js';
import { ErrorCode, MqError } from '../common/errors.js';
import {
  decodeBrokerReplicasInfo,
  decodeEpochEntryCache,
  EPOCH_END_OPEN,
  encodeBrokerNameList,
  RequestCode,
} from '../protocol/index.js';
import { ControllerClient, expectControllerSuccess } from '../server/controller-client.js';
import { intValue, type ParsedCommand } from './mqadmin-args.js';
import { CONTROLLER_COMMANDS } from './mqadmin-controller-commands.js';
import { renderKeyValues, renderTable } from './mqadmin-render.js';
import type { CommandOutput } from './mqadmin-run.js';

const TIMEOUT_MS = 5000;

export function isControllerCommand(name: string): boolean {
  return CONTROLLER_COMMANDS.some((c) => c.name === name);
}

function addressesOf(parsed: ParsedCommand): string[] {
  return (parsed.values['controllerAddress'] ?? '').split(';').filter((a) => a !== '');
}

async function controllerMetaData(calls: ControllerClient) {
  const address = calls.addresses[0] ?? '';
  const meta = await calls.metadata(address);
  const text = renderKeyValues([
    ['ControllerGroup', meta.group ?? ''],
    ['ControllerLeaderId', meta.controllerLeaderId ?? ''],
    ['ControllerLeaderAddress', meta.controllerLeaderAddress ?? ''],
    ['IsLeader', String(meta.isLeader ?? false)],
    ...(meta.peers ?? '')
      .split(';')
      .filter((p) => p !== '')
      .map((p): [string, string] => ['#Peer', p]),
  ]);
  return { text, json: { address, ...meta } };
}

async function brokerNamesOf(parsed: ParsedCommand): Promise<string[]> {
  const names = parsed.values['brokerName'];
  if (names !== undefined) return names.split(',').filter((n) => n !== '');
  const cluster = parsed.values['clusterName'];
  if (cluster === undefined || parsed.namesrvAddr === '') {
    throw new MqError(
      ErrorCode.USAGE,
      'getSyncStateSet: give -b brokerName, or -c clusterName with -n',
    );
  }
  const admin = new Admin({ namesrvAddr: parsed.namesrvAddr, requestTimeoutMs: TIMEOUT_MS });
  await admin.start();
  try {
    return (await admin.clusterInfo()).clusterAddrTable[cluster] ?? [];
  } finally {
    await admin.shutdown();
  }
}

async function syncStateSet(calls: ControllerClient, parsed: ParsedCommand) {
  const names = await brokerNamesOf(parsed);
  const { leader, response: answer } = await calls.invoke(
    RequestCode.CONTROLLER_GET_SYNC_STATE_DATA,
    {},
    encodeBrokerNameList(names),
  );
  const response = expectControllerSuccess(leader, answer);
  const info = decodeBrokerReplicasInfo(response.body);
  const rows = Object.entries(info.replicasInfoTable).flatMap(([brokerName, group]) =>
    [
      ...group.inSyncReplicas.map((r) => ({ r, inSync: true })),
      ...group.notInSyncReplicas.map((r) => ({ r, inSync: false })),
    ].map(({ r, inSync }) => [
      brokerName,
      r.brokerId,
      r.brokerAddress,
      r.brokerId === group.masterBrokerId ? 'MASTER' : inSync ? 'IN_SYNC' : 'NOT_IN_SYNC',
      String(r.alive),
      group.masterEpoch,
      group.syncStateSetEpoch,
    ]),
  );
  const text = renderTable(
    [
      '#Broker Name',
      '#Broker Id',
      '#Address',
      '#Role',
      '#Alive',
      '#Master Epoch',
      '#SyncStateSet Epoch',
    ],
    rows,
  );
  return { text, json: { controller: leader, ...info } };
}

async function electMaster(calls: ControllerClient, parsed: ParsedCommand) {
  const brokerName = parsed.values['brokerName'] ?? '';
  const { leader, header, body } = await calls.electMaster({
    clusterName: parsed.values['clusterName'] ?? '',
    brokerName,
    brokerId: intValue(parsed, 'brokerId', 0),
  });
  const text = renderKeyValues([
    ['brokerName', brokerName],
    ['masterBrokerId', header.masterBrokerId ?? ''],
    ['masterAddress', header.masterAddress ?? ''],
    ['masterEpoch', header.masterEpoch ?? ''],
    ['syncStateSetEpoch', header.syncStateSetEpoch ?? ''],
    ['syncStateSet', body.syncStateSet.join(',')],
  ]);
  return { text, json: { controller: leader, brokerName, ...header, ...body } };
}

/** GET_BROKER_EPOCH_CACHE to every broker of the named groups (RocketMQ GetBrokerEpochSubCommand). */
async function brokerEpochs(calls: ControllerClient, parsed: ParsedCommand) {
  const admin = new Admin({ namesrvAddr: parsed.namesrvAddr });
  await admin.start();
  let info: Awaited<ReturnType<Admin['clusterInfo']>>;
  try {
    info = await admin.clusterInfo();
  } finally {
    await admin.shutdown();
  }
  const cluster = parsed.values['clusterName'];
  const names =
    parsed.values['brokerName']?.split(',') ??
    (cluster === undefined ? [] : (info.clusterAddrTable[cluster] ?? []));
  if (names.length === 0)
    throw new MqError(ErrorCode.USAGE, 'getBrokerEpoch: give -b brokerName or -c clusterName');
  const caches = [];
  for (const name of names) {
    for (const address of Object.values(info.brokerAddrTable[name]?.brokerAddrs ?? {})) {
      const response = await calls.invokeAt(address, RequestCode.GET_BROKER_EPOCH_CACHE);
      caches.push({
        address,
        ...decodeEpochEntryCache(expectControllerSuccess(address, response).body),
      });
    }
  }
  const rows = caches.flatMap((c) =>
    c.epochList.map((e) => [
      c.brokerName,
      c.brokerId,
      c.address,
      e.epoch,
      e.startOffset,
      e.endOffset === EPOCH_END_OPEN ? 'open' : e.endOffset,
      c.maxOffset,
    ]),
  );
  const headers = ['#Broker Name', '#Broker Id', '#Address', '#Epoch', '#Start Offset'];
  const text = renderTable([...headers, '#End Offset', '#Max Offset'], rows);
  return { text, json: { brokers: caches } };
}

export async function runControllerCommand(parsed: ParsedCommand): Promise<CommandOutput> {
  const calls = new ControllerClient({
    addresses: addressesOf(parsed),
    requestTimeoutMs: TIMEOUT_MS,
  });
  try {
    switch (parsed.command) {
      case 'getControllerMetaData':
        return await controllerMetaData(calls);
      case 'getSyncStateSet':
        return await syncStateSet(calls, parsed);
      case 'electMaster':
        return await electMaster(calls, parsed);
      case 'getBrokerEpoch':
        return await brokerEpochs(calls, parsed);
      default:
        throw new TypeError(`Unknown command "${parsed.command}"`);
    }
  } finally {
    await calls.close();
  }
}
