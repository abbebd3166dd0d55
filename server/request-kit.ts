// Small helpers every request processor of the broker and the NameServer uses: decode a typed
// header or answer with the error, build success and failure responses.
//
// RocketMQ: remoting/.../protocol/RemotingCommand.java (createResponseCommand,
// decodeCommandCustomHeader), the processors' habit of answering a bad header with SYSTEM_ERROR.

import {
  createExtFields,
  createHeaderErrorResponse,
  createResponse,
  type ExtFieldInput,
  type HeaderCodec,
  type RemotingCommand,
  type RequestHandler,
  ResponseCode,
} from '../protocol/index.js';

/** Where processors are registered: a RemotingServer, or the broker's request gate. */
export interface ProcessorRegistry {
  registerProcessor(code: number, handler: RequestHandler): void;
}

export type HeaderOrResponse<T> =
  | { ok: true; header: T }
  | { ok: false; response: RemotingCommand };

/**
 * The request's custom header, or the response that refuses it (SYSTEM_ERROR as Java answers,
 * or the given code, e.g. MESSAGE_ILLEGAL for sends), naming the field and the problem.
 */
export function decodeRequestHeader<T>(
  request: RemotingCommand,
  codec: HeaderCodec<T>,
  errorCode: number = ResponseCode.SYSTEM_ERROR,
): HeaderOrResponse<T> {
  const decoded = codec.decode(request.extFields);
  if (decoded.ok) return decoded;
  return { ok: false, response: createHeaderErrorResponse(request, decoded.error, errorCode) };
}

/** SUCCESS with optional header fields and body. */
export function success(
  request: RemotingCommand,
  extFields: Readonly<Record<string, ExtFieldInput>> = {},
  body: Buffer | null = null,
): RemotingCommand {
  const response = createResponse(request, ResponseCode.SUCCESS);
  response.extFields = createExtFields(extFields);
  response.body = body;
  return response;
}

/** A response with an error (or non-SUCCESS status) code and its remark. */
export function failure(request: RemotingCommand, code: number, remark: string): RemotingCommand {
  return createResponse(request, code, remark);
}
