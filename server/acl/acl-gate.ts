// The one hook request dispatch calls when aclEnable=true: null lets the request through,
// otherwise the NO_PERMISSION response to send instead (nothing is processed or stored).
//
// RocketMQ: the broker's AclPlugin server RPC hook (BrokerController.initialAcl ->
// registerServerRPCHook: validate(parse(request, remoteAddr))); an AclException becomes
// NO_PERMISSION with the exception's message as remark.

import type { Logger } from '../../protocol/logger.js';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command.js';
import type { RemotingConnection } from '../../protocol/remoting-connection.js';
import { requestCodeName } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import { checkAccess } from './access-check.js';
import type { AclFiles } from './acl-files.js';

/** The IP of "a.b.c.d:port" or "[v6]:port". */
export function ipOf(remoteAddress: string): string {
  const colon = remoteAddress.lastIndexOf(':');
  const host = colon < 0 ? remoteAddress : remoteAddress.slice(0, colon);
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export type AclCheck = (
  request: RemotingCommand,
  connection: RemotingConnection,
) => RemotingCommand | null;

/** A check against the table `files` holds at the time of each request. */
export function createAclCheck(files: AclFiles, logger: Logger): AclCheck {
  return (request, connection) => {
    const remark = checkAccess(files.table, request, ipOf(connection.remoteAddress));
    if (remark === null) return null;
    logger.warn('Request refused by ACL', {
      code: requestCodeName(request.code),
      client: connection.remoteAddress,
      remark,
    });
    return createResponse(request, ResponseCode.NO_PERMISSION, remark);
  };
}
