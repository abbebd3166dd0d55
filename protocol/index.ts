// The RocketMQ 4.x wire protocol: frames, the RemotingCommand codec, request and response codes,
// typed headers and JSON bodies, message properties and ids, and a TCP remoting server and
// client. Used by the NameServer, the broker, the client and the HA/DLedger transports.

export * from './bodies/index.js';
export * from './fastjson.js';
export * from './frame-decoder.js';
export * from './frame-format.js';
export * from './headers/index.js';
export * from './logger.js';
export * from './message-batch.js';
export * from './message-id.js';
export * from './message-properties.js';
export * from './remoting-client.js';
export * from './remoting-command.js';
export * from './remoting-connection.js';
export * from './remoting-server.js';
export * from './request-code.js';
export * from './response-code.js';
