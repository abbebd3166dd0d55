// Helpers for the remoting server and client tests: a raw TCP peer that can send any bytes and
// collects what comes back, a capturing logger, and a gate to hold handlers.
import { connect, type Socket } from 'node:net';
import { FrameDecoder } from '../../../protocol/frame-decoder.js';
import type { LogFields, Logger } from '../../../protocol/logger.js';
import type { RemotingCommand } from '../../../protocol/remoting-command.js';

export interface RawPeer {
  socket: Socket;
  received: () => RemotingCommand[];
  bytesReceived: () => number;
  closed: Promise<void>;
  isClosed: () => boolean;
}

export function rawPeer(port: number): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const decoder = new FrameDecoder({ maxFrameSizeBytes: 1 << 24 });
    const commands: RemotingCommand[] = [];
    let bytes = 0;
    let isClosed = false;
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    void closed.then(() => {
      isClosed = true;
    });
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      decoder.push(chunk);
      for (let step = decoder.next(); step.kind === 'command'; step = decoder.next()) {
        commands.push(step.command);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => commands,
        bytesReceived: () => bytes,
        closed,
        isClosed: () => isClosed,
      }),
    );
    socket.once('error', reject);
  });
}

export interface LogRecord {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

export function capturingLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      records.push({ level, message, fields });
    };
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A promise handlers can wait on until the test opens it. */
export class Gate {
  #open: () => void = () => undefined;
  readonly opened = new Promise<void>((resolve) => {
    this.#open = resolve;
  });

  open(): void {
    this.#open();
  }
}

export function jsonFrame(json: string): Buffer {
  const header = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(4 + header.length, 0);
  prefix.writeUInt32BE(header.length, 4);
  return Buffer.concat([prefix, header]);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
