// The web console a NameServer can serve (console/): off unless consoleListenPort is set. Petrel's
// own keys (RocketMQ ships its dashboard as a separate application). Read views need no login;
// every state-changing action needs consoleAdminToken, and without it the console is read-only.

import { int, type Schema, str } from './schema.js';

export const consoleSchema = {
  consoleListenPort: int({
    min: 0,
    max: 65535,
    optional: true,
    petrelOnly: true,
    doc: 'Port of the built-in web console (0 picks a free one, printed at start as `console http://host:port/`); unset: no console.',
  }),
  consoleListenHost: str({
    default: '127.0.0.1',
    petrelOnly: true,
    doc: 'Address the console listens on. Anything but loopback exposes the read views to that network; set consoleAdminToken before you do.',
  }),
  consoleAdminToken: str({
    optional: true,
    petrelOnly: true,
    doc: 'Token the console asks for before any action that changes state (create or delete a topic, reset offsets, write permission); unset: the console is read-only.',
  }),
  consoleRequestTimeoutMs: int({
    min: 100,
    max: 120_000,
    unit: 'ms',
    default: 5000,
    petrelOnly: true,
    doc: 'Deadline of each console request, and of each admin request it makes to a broker or NameServer.',
  }),
  consoleMaxConcurrentRequests: int({
    min: 1,
    max: 64,
    default: 4,
    petrelOnly: true,
    doc: 'Console API requests served at once; more are answered 503 (E_CONSOLE_BUSY) at once.',
  }),
  consoleRoleHistorySize: int({
    min: 1,
    max: 100_000,
    default: 500,
    petrelOnly: true,
    doc: 'Role changes (masters lost and taken over, replicas joining and leaving) the NameServer keeps for the console.',
  }),
} satisfies Schema;
