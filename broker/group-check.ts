// Group names are checked where they enter the broker (heartbeat, send-back, pulls, offset
// commands), so a bad name is refused with a clear code instead of being stored in the tables and
// files, or, for a consumer group, having its retries dropped later for an invalid retry topic.

import { ErrorCode } from '../common/errors.js';
import { consumerGroupProblem, groupNameProblem } from '../common/topic-rules.js';
import { type RemotingCommand, ResponseCode } from '../protocol/index.js';
import { failure } from '../server/request-kit.js';

/** The refusal for a bad group name (SYSTEM_ERROR, remark "E_GROUP_NAME_INVALID: ..."), or undefined. */
export function refuseGroup(
  request: RemotingCommand,
  kind: 'producer' | 'consumer',
  group: string,
): RemotingCommand | undefined {
  const problem = kind === 'consumer' ? consumerGroupProblem(group) : groupNameProblem(group);
  if (problem === undefined) return undefined;
  return failure(
    request,
    ResponseCode.SYSTEM_ERROR,
    `${ErrorCode.GROUP_NAME_INVALID}: ${kind} group refused: ${problem}`,
  );
}
