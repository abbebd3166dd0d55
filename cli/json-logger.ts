// JSON-lines logging for servers run under a log collector (PETREL_LOG_FORMAT=json): one object per
// line on stderr — {"level":"info","time":"<ISO>","name":"broker broker-a","msg":"...",...fields}
// — written by pino through a transport, so formatting and the write itself happen on pino's
// worker thread, not on the event loop that serves requests. The human format stays the default.

import pino from 'pino';
import type { LogFields, Logger } from '../protocol/index.js';

export function createJsonLogger(name: string, level: 'debug' | 'info' | 'warn' | 'error'): Logger {
  const transport = pino.transport({ target: 'pino/file', options: { destination: 2 } });
  const log = pino(
    {
      name,
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    transport,
  );
  const write =
    (method: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: LogFields) => {
      if (fields === undefined) log[method](message);
      else log[method]({ ...fields }, message);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
