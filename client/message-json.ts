// A message as JSON for tools (mqadmin --json, the web console): every field of MessageExt, the
// body as UTF-8 text and as base64.

import type { MessageExt } from './message.js';

export function messageToJson(message: MessageExt): Record<string, unknown> {
  const { body, ...rest } = message;
  return { ...rest, body: body.toString('utf8'), bodyBase64: body.toString('base64') };
}
