// RocketMQ 4.x plain-ACL request signing, shared by the client (which signs) and the servers
// (which check). The signed content is the values of the request's extFields, sorted by key
// (Java String order: UTF-16 code units, which is JavaScript's default sort), without the
// Signature field itself and without "_UNIQUE_KEY_QUERY", concatenated as UTF-8, followed by the
// body bytes. The signature is base64(HMAC-SHA1(secretKey, content)).
//
// RocketMQ: acl/.../common/AclClientRPCHook.java (doBeforeRequest, parseRequestContent),
// AclUtils.combineRequestContent / calSignature, plain/PlainAccessResource.parse (the server
// side takes every extField but Signature and MixAll.UNIQUE_MSG_QUERY_FLAG); ali-ons:
// lib/channel.js beforeRequest (adds AccessKey and OnsChannel, signs the same way).

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RemotingCommand } from './remoting-command.js';

export const AclField = {
  ACCESS_KEY: 'AccessKey',
  SIGNATURE: 'Signature',
  SECURITY_TOKEN: 'SecurityToken',
  /** RocketMQ's MixAll.UNIQUE_MSG_QUERY_FLAG: left out of the signed content by the server. */
  UNIQUE_MSG_QUERY_FLAG: '_UNIQUE_KEY_QUERY',
} as const;

export interface AclCredentials {
  accessKey: string;
  secretKey: string;
}

/** The text part a signature covers: sorted extFields values, minus the excluded ones. */
export function signedText(extFields: Readonly<Record<string, string>>): string {
  let text = '';
  for (const key of Object.keys(extFields).sort()) {
    if (key === AclField.SIGNATURE || key === AclField.UNIQUE_MSG_QUERY_FLAG) continue;
    text += extFields[key];
  }
  return text;
}

/** base64(HMAC-SHA1(secretKey, signedText + body)), as AclUtils.calSignature computes it. */
export function computeSignature(
  extFields: Readonly<Record<string, string>>,
  body: Buffer | null,
  secretKey: string,
): string {
  const hmac = createHmac('sha1', secretKey).update(signedText(extFields), 'utf8');
  if (body !== null && body.length > 0) hmac.update(body);
  return hmac.digest('base64');
}

/** True when `given` is the request's signature under `secretKey` (constant-time compare). */
export function isSignatureValid(
  extFields: Readonly<Record<string, string>>,
  body: Buffer | null,
  secretKey: string,
  given: string,
): boolean {
  const expected = Buffer.from(computeSignature(extFields, body, secretKey), 'utf8');
  const actual = Buffer.from(given, 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Adds AccessKey and Signature to a request, as AclClientRPCHook does: the AccessKey is part of
 * the signed content. Call it last, after every header field is in place.
 */
export function signRequest(request: RemotingCommand, credentials: AclCredentials): void {
  const fields = request.extFields;
  delete fields[AclField.SIGNATURE];
  fields[AclField.ACCESS_KEY] = credentials.accessKey;
  fields[AclField.SIGNATURE] = computeSignature(fields, request.body, credentials.secretKey);
}
