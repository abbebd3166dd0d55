// A small HTTP gateway that embeds Petrel's storage engine (docs/engine.md): it opens a store,
// stores each POSTed body with backpressure, serves reads by queue offset, and on SIGTERM stops
// taking requests, lets the puts in flight finish and closes the store. It is compiled and run
// as written against the packed package by test/integration/package-install.test.ts.
//
//   POST /messages/<topic>/<queueId>           body = the message   -> 201 {"msgId","queueOffset"}
//   GET  /messages/<topic>/<queueId>?offset=N  -> 200 {"messages":[...],"nextOffset"}
//
// Run: STORE_DIR=./data/gateway PORT=8080 node gateway.js

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  ErrorCode,
  type MessageStore,
  MqError,
  openStore,
  type PutMessageInput,
  type PutResult,
  PutStatus,
} from 'petrelmq/engine';

const store = await openStore({
  storePathRootDir: process.env['STORE_DIR'] ?? './data/gateway',
  flushDiskType: 'SYNC_FLUSH', // a 201 means the message is on disk
  maxPendingPuts: Number(process.env['MAX_PENDING_PUTS'] ?? 4096),
});
let waitsForRoom = 0;

/**
 * Stores one message. OS_PAGE_CACHE_BUSY means "too many puts in flight right now": wait until
 * the store takes puts again, then retry. Every other status is final.
 */
async function putWithBackpressure(s: MessageStore, message: PutMessageInput): Promise<PutResult> {
  for (;;) {
    const result = await s.putMessage(message);
    if (result.status !== PutStatus.OS_PAGE_CACHE_BUSY) return result;
    waitsForRoom++;
    await s.whenWritable();
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://gateway');
  const [, route, topic = '', queueText = ''] = url.pathname.split('/');
  const queueId = Number(queueText);
  if (route !== 'messages') return reply(response, 404, { error: 'no such route' });
  if (request.method === 'POST') {
    const put = await putWithBackpressure(store, { topic, queueId, body: await readBody(request) });
    switch (put.status) {
      case PutStatus.PUT_OK: // narrowed: msgId and queueOffset are set
        return reply(response, 201, { msgId: put.msgId, queueOffset: put.queueOffset });
      case PutStatus.FLUSH_DISK_TIMEOUT: // stored, but not confirmed on disk in time
        return reply(response, 202, { msgId: put.msgId, queueOffset: put.queueOffset });
      case PutStatus.MESSAGE_ILLEGAL:
      case PutStatus.PROPERTIES_SIZE_EXCEEDED:
        return reply(response, 400, { error: put.reason });
      default: // SERVICE_NOT_AVAILABLE (disk full, store closing), UNKNOWN_ERROR, ...
        return reply(response, 503, { error: `${put.status}: ${put.reason ?? ''}` });
    }
  }
  const got = await store.getMessage({
    topic,
    queueId,
    queueOffset: Number(url.searchParams.get('offset') ?? 0),
    maxMsgNums: 32,
  });
  const messages = got.messages.map((m) => ({
    queueOffset: m.queueOffset,
    body: m.body.toString('utf8'),
  }));
  reply(response, 200, { status: got.status, messages, nextOffset: got.nextBeginOffset });
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    // Bad arguments (e.g. a queueId out of range) and a store that is closing have stable codes.
    const badInput = error instanceof MqError && error.code === ErrorCode.INVALID_ARGUMENT;
    reply(response, badInput ? 400 : 503, { error: String(error) });
  });
});
server.listen(Number(process.env['PORT'] ?? 8080), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  console.log(`gateway listening on 127.0.0.1:${port}`);
});

process.once('SIGTERM', () => {
  // No new requests; the ones in flight finish; close() waits for their puts, then flushes.
  server.close(() => {
    store
      .close()
      .then(() => console.log(`store closed (${waitsForRoom} waits for room)`))
      .catch((error: unknown) => {
        console.error(error);
        process.exitCode = 1;
      });
  });
  server.closeIdleConnections();
});
