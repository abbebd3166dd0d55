// The language and version a client states on its heartbeats, per connection, for the
// connection lists mqadmin consumerConnection and producerConnection print. A WeakMap: an entry
// goes with its connection.

import type { RemotingCommand, RemotingConnection } from '../protocol/index.js';

export interface ClientIdentity {
  language: string;
  version: number;
}

const identities = new WeakMap<RemotingConnection, ClientIdentity>();

export function rememberClientIdentity(
  connection: RemotingConnection,
  request: RemotingCommand,
): void {
  identities.set(connection, { language: String(request.language), version: request.version });
}

export function clientIdentity(connection: RemotingConnection): ClientIdentity {
  return identities.get(connection) ?? { language: 'JAVA', version: 0 };
}
