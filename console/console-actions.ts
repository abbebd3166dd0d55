// The console's state-changing actions, each the admin call behind the mqadmin command of the same
// name: updateTopic (create), deleteTopic, resetOffsetByTime, wipeWritePerm / addWritePerm, and
// electMaster when the NameServer hosts a controller. The server checks origin and token before any
// of them runs (console-guard.ts).

import type { Admin } from '../client/admin.js';
import type { AdminOps } from '../client/admin-ops.js';
import { ErrorCode, MqError } from '../common/errors.js';
import type { ControllerClient } from '../server/controller-client.js';

export type ActionBody = Readonly<Record<string, unknown>>;

function text(body: ActionBody, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '' || value.length > 255) {
    throw new MqError(ErrorCode.CONSOLE_REQUEST_INVALID, `"${key}" must be a non-empty string`);
  }
  return value;
}

function optionalText(body: ActionBody, key: string): string | undefined {
  return body[key] === undefined || body[key] === '' ? undefined : text(body, key);
}

function int(body: ActionBody, key: string, fallback: number, min: number, max: number): number {
  const value = body[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new MqError(
      ErrorCode.CONSOLE_REQUEST_INVALID,
      `"${key}" must be a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

export const ACTION_NAMES = [
  'createTopic',
  'deleteTopic',
  'resetOffset',
  'wipeWritePerm',
  'addWritePerm',
  'electMaster',
] as const;

/** What the actions act through. */
export interface ActionClients {
  admin: Admin;
  ops: AdminOps;
  /** The controller group, when this NameServer hosts one. */
  controller: ControllerClient | undefined;
}

/** mqadmin electMaster: the controller makes `brokerId` its group's master (a SyncStateSet member). */
async function electMaster(controller: ControllerClient | undefined, body: ActionBody) {
  if (controller === undefined) {
    throw new MqError(
      ErrorCode.CONSOLE_REQUEST_INVALID,
      'this NameServer hosts no controller (enableControllerInNamesrv=false)',
    );
  }
  const {
    leader,
    header,
    body: elected,
  } = await controller.electMaster({
    clusterName: optionalText(body, 'clusterName') ?? '',
    brokerName: text(body, 'brokerName'),
    brokerId: int(body, 'brokerId', 0, 1, Number.MAX_SAFE_INTEGER),
  });
  return { controller: leader, ...header, syncStateSet: elected.syncStateSet };
}

/** Runs one action; undefined for an unknown name. */
export function runAction(
  { admin, ops, controller }: ActionClients,
  name: string,
  body: ActionBody,
): Promise<unknown> | undefined {
  switch (name) {
    case 'createTopic': {
      const clusterName = optionalText(body, 'clusterName');
      return admin
        .createTopic({
          topic: text(body, 'topic'),
          readQueueNums: int(body, 'readQueueNums', 8, 1, 1024),
          writeQueueNums: int(body, 'writeQueueNums', 8, 1, 1024),
          ...(clusterName === undefined ? {} : { clusterName }),
        })
        .then((brokers) => ({ brokers }));
    }
    case 'deleteTopic':
      return ops
        .deleteTopic(text(body, 'topic'), text(body, 'clusterName'))
        .then((brokers) => ({ brokers }));
    case 'resetOffset':
      return ops
        .resetOffsetByTime(
          text(body, 'group'),
          text(body, 'topic'),
          int(body, 'timestamp', -1, -1, Number.MAX_SAFE_INTEGER),
          true,
        )
        .then((queues) => ({ queues }));
    case 'wipeWritePerm':
    case 'addWritePerm':
      return ops
        .writePerm(text(body, 'brokerName'), name === 'wipeWritePerm')
        .then((nameServers) => ({ nameServers }));
    case 'electMaster':
      return electMaster(controller, body);
    default:
      return undefined;
  }
}
