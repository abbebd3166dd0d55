// The plain-ACL decision for one request, as RocketMQ 4.x's PlainPermissionManager.validate
// makes it:
//   1. the client IP matches a global white remote address -> allowed;
//   2. no AccessKey -> denied; an AccessKey no account has -> denied;
//   3. the IP matches the account's whiteRemoteAddress -> allowed (signature not checked);
//   4. the Signature does not match the content signed with the account's secretKey -> denied;
//   5. an admin request code from a non-admin account -> denied;
//   6. each resource the request needs (topic PUB/SUB, group as its retry topic SUB) is checked
//      against the account's topicPerms/groupPerms, else its default perm.
// Pure: the table, the request and the client IP in, a remark out (null = allowed).
//
// RocketMQ: acl/.../plain/PlainPermissionManager.java (validate, checkPerm),
// PlainAccessResource.parse (which resources each request code needs), Permission.ADMIN_CODE.
// Petrel also checks SEND_BATCH_MESSAGE like SEND_MESSAGE_V2 (RocketMQ 4.x leaves it out), and
// asks admin rights for the offset reset, NameServer write and controller codes listed below.

import { AclField, isSignatureValid } from '../../protocol/acl-signature.js';
import { decodeHeartbeatData } from '../../protocol/bodies/heartbeat-data.js';
import type { RemotingCommand } from '../../protocol/remoting-command.js';
import { DLedgerRequestCode, RequestCode, requestCodeName } from '../../protocol/request-code.js';
import {
  type AclAccount,
  type AclTable,
  Perm,
  RETRY_GROUP_TOPIC_PREFIX,
  retryTopic,
} from './plain-acl-config.js';

/** RocketMQ 5 controller codes (elect master, update controller config). */
const CONTROLLER_ELECT_MASTER = 1002;
const UPDATE_CONTROLLER_CONFIG = 1009;

/** Request codes only an admin account may send. */
export const ADMIN_REQUEST_CODES: ReadonlySet<number> = new Set([
  // RocketMQ 4.x Permission.ADMIN_CODE
  RequestCode.UPDATE_AND_CREATE_TOPIC,
  RequestCode.UPDATE_BROKER_CONFIG,
  RequestCode.DELETE_TOPIC_IN_BROKER,
  RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
  RequestCode.DELETE_SUBSCRIPTIONGROUP,
  // Petrel: offsets, ACL and NameServer writes, controller
  RequestCode.INVOKE_BROKER_TO_RESET_OFFSET,
  RequestCode.RESET_CONSUMER_OFFSET_IN_BROKER,
  RequestCode.UPDATE_AND_CREATE_ACL_CONFIG,
  RequestCode.DELETE_ACL_CONFIG,
  DLedgerRequestCode.LEADERSHIP_TRANSFER,
  RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG,
  RequestCode.REGISTER_BROKER,
  RequestCode.UNREGISTER_BROKER,
  RequestCode.PUT_KV_CONFIG,
  RequestCode.DELETE_KV_CONFIG,
  RequestCode.DELETE_KV_CONFIG_BY_VALUE,
  RequestCode.DELETE_TOPIC_IN_NAMESRV,
  RequestCode.WIPE_WRITE_PERM_OF_BROKER,
  RequestCode.ADD_WRITE_PERM_OF_BROKER,
  RequestCode.UPDATE_NAMESRV_CONFIG,
  CONTROLLER_ELECT_MASTER,
  UPDATE_CONTROLLER_CONFIG,
]);

/** Resource (topic or "%RETRY%group") to the permission the request needs on it. */
export type NeededPerms = Map<string, number>;

function add(needed: NeededPerms, resource: string | undefined, perm: number): void {
  if (resource === undefined || resource === '') return;
  needed.set(resource, (needed.get(resource) ?? 0) | perm);
}

function addSend(needed: NeededPerms, topic: string | undefined, group: string | undefined) {
  // A consumer sending a message back to its retry topic needs SUB on its group.
  if (topic?.startsWith(RETRY_GROUP_TOPIC_PREFIX) === true) {
    add(needed, group === undefined ? undefined : retryTopic(group), Perm.SUB);
  } else {
    add(needed, topic, Perm.PUB);
  }
}

function addHeartbeat(needed: NeededPerms, body: Buffer | null): void {
  const heartbeat = decodeHeartbeatData(body);
  for (const consumer of heartbeat.consumerDataSet) {
    add(needed, retryTopic(consumer.groupName), Perm.SUB);
    for (const subscription of consumer.subscriptionDataSet) {
      add(needed, subscription.topic, Perm.SUB);
    }
  }
}

/** What a request needs, by code (PlainAccessResource.parse). Throws on a malformed body. */
export function neededPerms(request: RemotingCommand): NeededPerms {
  const f = request.extFields;
  const needed: NeededPerms = new Map();
  const group = (name: string | undefined) => (name === undefined ? undefined : retryTopic(name));
  switch (request.code) {
    case RequestCode.SEND_MESSAGE:
    case RequestCode.SEND_REPLY_MESSAGE:
      addSend(needed, f['topic'], f['producerGroup']);
      break;
    case RequestCode.SEND_MESSAGE_V2:
    case RequestCode.SEND_BATCH_MESSAGE:
    case RequestCode.SEND_REPLY_MESSAGE_V2:
      addSend(needed, f['b'], f['a']);
      break;
    case RequestCode.CONSUMER_SEND_MSG_BACK:
      add(needed, group(f['group']), Perm.SUB);
      add(needed, f['originTopic'], Perm.PUB);
      break;
    case RequestCode.PULL_MESSAGE:
      add(needed, f['topic'], Perm.SUB);
      add(needed, group(f['consumerGroup']), Perm.SUB);
      break;
    case RequestCode.QUERY_MESSAGE:
      add(needed, f['topic'], Perm.SUB);
      break;
    case RequestCode.HEART_BEAT:
      addHeartbeat(needed, request.body);
      break;
    case RequestCode.UNREGISTER_CLIENT:
    case RequestCode.GET_CONSUMER_LIST_BY_GROUP:
      add(needed, group(f['consumerGroup']), Perm.SUB);
      break;
    case RequestCode.UPDATE_CONSUMER_OFFSET:
      add(needed, group(f['consumerGroup']), Perm.SUB);
      add(needed, f['topic'], Perm.SUB);
      break;
    default:
      break;
  }
  return needed;
}

/** Permission.checkPermission: DENY wins; ANY asks for PUB or SUB; else a common bit. */
export function hasPerm(needed: number, owned: number): boolean {
  if ((owned & Perm.DENY) !== 0) return false;
  if ((needed & Perm.ANY) !== 0) return (owned & (Perm.PUB | Perm.SUB)) !== 0;
  return (needed & owned) !== 0;
}

function describe(resource: string): string {
  return resource.startsWith(RETRY_GROUP_TOPIC_PREFIX)
    ? `group ${resource.slice(RETRY_GROUP_TOPIC_PREFIX.length)}`
    : `topic ${resource}`;
}

function permName(perm: number): string {
  const names = [];
  if ((perm & Perm.PUB) !== 0) names.push('PUB');
  if ((perm & Perm.SUB) !== 0) names.push('SUB');
  return names.join('|') || 'ANY';
}

function checkPerms(request: RemotingCommand, account: AclAccount): string | null {
  if (ADMIN_REQUEST_CODES.has(request.code) && !account.admin) {
    return `${requestCodeName(request.code)} needs an admin account, and accessKey=${account.accessKey} is not one`;
  }
  let needed: NeededPerms;
  try {
    needed = neededPerms(request);
  } catch (error) {
    return `cannot read the request to check its permissions: ${(error as Error).message}`;
  }
  for (const [resource, perm] of needed) {
    const isGroup = resource.startsWith(RETRY_GROUP_TOPIC_PREFIX);
    const owned =
      account.resourcePerms.get(resource) ??
      (isGroup ? account.defaultGroupPerm : account.defaultTopicPerm);
    if (!hasPerm(perm, owned)) {
      return `accessKey=${account.accessKey} has no ${permName(perm)} permission on ${describe(resource)}`;
    }
  }
  return null;
}

/**
 * Null when the request may proceed, else the remark of the NO_PERMISSION answer. `clientIp`
 * is the peer's IP without port.
 */
export function checkAccess(
  table: AclTable,
  request: RemotingCommand,
  clientIp: string,
): string | null {
  if (table.globalWhiteRemoteAddresses.some((matches) => matches(clientIp))) return null;
  const accessKey = request.extFields[AclField.ACCESS_KEY];
  if (accessKey === undefined) return 'No accessKey is configured (the request is not signed)';
  const account = table.accounts.get(accessKey);
  if (account === undefined) return `No acl config for ${accessKey}`;
  if (account.whiteRemoteAddress(clientIp)) return null;
  const signature = request.extFields[AclField.SIGNATURE] ?? '';
  if (!isSignatureValid(request.extFields, request.body, account.secretKey, signature)) {
    return `Check signature failed for accessKey=${accessKey}`;
  }
  return checkPerms(request, account);
}
