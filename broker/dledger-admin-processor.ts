// DLedger's LEADERSHIP_TRANSFER (51005, io.openmessaging.storage.dledger.protocol.DLedgerRequestCode)
// on the broker's remoting port, behind `mqadmin leadershipTransfer`: the Raft leader of this
// broker's group hands leadership to `transfereeId` once that member's log is caught up (the core
// stops taking proposals meanwhile, LEADER_TRANSFERRING). Header: transfereeId (a dLegerPeers id).
// SUCCESS with `status` STARTED or ALREADY_LEADER; otherwise SYSTEM_ERROR naming the reason
// (not in DLedger mode, not the leader and who is, an unknown member), with `status` set too.

import { DLedgerRequestCode, ResponseCode } from '../protocol/index.js';
import { failure, type ProcessorRegistry, success } from '../server/request-kit.js';
import type { BrokerDledger } from './broker-dledger.js';

export function registerDledgerAdmin(
  server: ProcessorRegistry,
  dledger: BrokerDledger | undefined,
): void {
  server.registerProcessor(DLedgerRequestCode.LEADERSHIP_TRANSFER, async (request) => {
    if (dledger === undefined)
      return failure(request, ResponseCode.SYSTEM_ERROR, 'this broker is not in DLedger mode');
    const transfereeId = request.extFields['transfereeId'] ?? '';
    if (transfereeId === '')
      return failure(
        request,
        ResponseCode.SYSTEM_ERROR,
        'the header field transfereeId is missing',
      );
    const result = await dledger.transferLeadership(transfereeId);
    switch (result.status) {
      case 'STARTED':
        return success(request, { status: result.status, transfereeId });
      case 'ALREADY_LEADER':
        return success(request, { status: result.status, transfereeId });
      case 'NOT_LEADER': {
        const response = failure(
          request,
          ResponseCode.SYSTEM_ERROR,
          `not the DLedger leader (leader: ${result.leaderId ?? 'unknown'})`,
        );
        response.extFields = { status: result.status, leaderId: result.leaderId ?? '' };
        return response;
      }
      case 'UNKNOWN_PEER': {
        const response = failure(
          request,
          ResponseCode.SYSTEM_ERROR,
          `"${transfereeId}" is not a member of this DLedger group`,
        );
        response.extFields = { status: result.status };
        return response;
      }
    }
  });
}
