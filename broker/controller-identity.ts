// The id a broker has in its controller-mode group (RocketMQ 5.1.4: BrokerMetadata /
// TempBrokerMetadata and ReplicasManager.register). The first start applies for an id (the
// configured brokerId as a preference, else the controller's next free one) with a check code
// "<brokerAddr>;<timestampMs>", and keeps both in `<storePathRootDir>/config/controllerBrokerId.json`,
// so a restart applies again with the same code and gets the same id back.

import { join } from 'node:path';
import type { Clock } from '../common/clock.js';
import { ErrorCode, MqError } from '../common/errors.js';
import type { FileIO } from '../engine/io/file-io.js';
import { ResponseCode } from '../protocol/index.js';
import { JsonStateFile } from '../server/config-file.js';
import { type ControllerClient, ControllerRefusal } from './controller-client.js';

interface StoredIdentity {
  clusterName: string;
  brokerName: string;
  brokerId: number;
  registerCheckCode: string;
}

/** Tries of GET_NEXT_BROKER_ID + APPLY_BROKER_ID when other brokers take ids first. */
const MAX_APPLY_ROUNDS = 10;

function parseIdentity(text: string): StoredIdentity {
  const o = JSON.parse(text) as Partial<StoredIdentity>;
  if (
    typeof o.clusterName !== 'string' ||
    typeof o.brokerName !== 'string' ||
    typeof o.registerCheckCode !== 'string' ||
    !Number.isSafeInteger(o.brokerId) ||
    (o.brokerId ?? 0) < 1
  )
    throw new Error('expected clusterName, brokerName, brokerId >= 1 and registerCheckCode');
  return o as StoredIdentity;
}

export interface IdentityRequest {
  io: FileIO;
  clock: Clock;
  storePathRootDir: string;
  clusterName: string;
  brokerName: string;
  brokerAddr: string;
  /** The configured brokerId, a preference when >= 1. */
  preferredId: number;
}

/** The broker's controller id: the stored one (applied again), or a new one applied for. */
export async function obtainBrokerId(
  client: ControllerClient,
  r: IdentityRequest,
): Promise<number> {
  const file = new JsonStateFile<StoredIdentity>({
    io: r.io,
    path: join(r.storePathRootDir, 'config', 'controllerBrokerId.json'),
    parse: parseIdentity,
    render: (v) => `${JSON.stringify(v, null, 2)}\n`,
  });
  const stored = file.load();
  if (stored !== undefined) {
    if (stored.brokerName !== r.brokerName || stored.clusterName !== r.clusterName)
      throw new MqError(
        ErrorCode.CONFIG_INVALID,
        `${file.path} belongs to ${stored.clusterName}/${stored.brokerName}, not ${r.clusterName}/${r.brokerName}`,
      );
    await client.applyBrokerId(
      r.clusterName,
      r.brokerName,
      stored.brokerId,
      stored.registerCheckCode,
    );
    return stored.brokerId;
  }
  const registerCheckCode = `${r.brokerAddr};${r.clock.nowMs()}`;
  const apply = async (id: number): Promise<boolean> => {
    try {
      await client.applyBrokerId(r.clusterName, r.brokerName, id, registerCheckCode);
      return true;
    } catch (error) {
      if (
        error instanceof ControllerRefusal &&
        error.responseCode === ResponseCode.CONTROLLER_BROKER_ID_INVALID
      )
        return false;
      throw error;
    }
  };
  let brokerId: number | undefined;
  if (r.preferredId >= 1 && (await apply(r.preferredId))) brokerId = r.preferredId;
  for (let round = 0; brokerId === undefined && round < MAX_APPLY_ROUNDS; round++) {
    const next = await client.getNextBrokerId(r.clusterName, r.brokerName);
    if (await apply(next)) brokerId = next;
  }
  if (brokerId === undefined)
    throw new MqError(
      ErrorCode.REMOTE_ERROR,
      `No broker id obtained from the controller after ${MAX_APPLY_ROUNDS} tries`,
    );
  file.save({
    clusterName: r.clusterName,
    brokerName: r.brokerName,
    brokerId,
    registerCheckCode,
  });
  return brokerId;
}
