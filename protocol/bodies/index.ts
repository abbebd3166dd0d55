// The JSON bodies of RocketMQ 4.x requests and responses (see json-body.ts for the shared
// readers and fastjson.ts for the non-standard JSON Java writes).

export * from './cluster-info.js';
export * from './connection-bodies.js';
export * from './controller-bodies.js';
export * from './heartbeat-data.js';
export * from './json-body.js';
export * from './offset-tables.js';
export * from './register-broker-body.js';
export * from './simple-bodies.js';
export * from './topic-route-data.js';
