// The list of keys RocketMQ 4.x accepts, and how our schemas relate to it: every key we share
// with RocketMQ is spelled as RocketMQ spells it, and every Petrel-only key is one RocketMQ lacks.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brokerSchema } from '../../../config/broker-schema.js';
import { controllerModeSchema } from '../../../config/controller-mode-schema.js';
import {
  namesrvControllerSchema,
  rocketmqControllerKeys,
} from '../../../config/controller-schema.js';
import { dledgerSchema } from '../../../config/dledger-schema.js';
import { brokerConfigSchema } from '../../../config/load.js';
import { namesrvSchema } from '../../../config/namesrv-schema.js';
import {
  RocketmqKnownKeys,
  rocketmqBrokerKeys,
  rocketmqNamesrvKeys,
} from '../../../config/rocketmq-known-keys.js';
import type { Schema } from '../../../config/schema.js';
import { storeRenamedKeys, storeSchema } from '../../../config/store-schema.js';

function checkAgainst(schema: Schema, known: ReadonlySet<string>): void {
  for (const [key, spec] of Object.entries(schema)) {
    assert.equal(known.has(key), !spec.petrelOnly, `${key}: petrelOnly=${spec.petrelOnly}`);
  }
}

describe('RocketMQ known keys', () => {
  it('lists the setters of each RocketMQ 4.x config class', () => {
    const sizes = Object.fromEntries(
      Object.entries(RocketmqKnownKeys).map(([owner, keys]) => [owner, keys.length]),
    );
    assert.deepEqual(sizes, {
      BrokerConfig: 81,
      BrokerStartup: 2,
      NettyServerConfig: 14,
      NettyClientConfig: 14,
      MessageStoreConfig: 80,
      NamesrvConfig: 7,
    });
    assert.ok(rocketmqBrokerKeys.has('dLegerPeers'));
    assert.ok(rocketmqBrokerKeys.has('useTLS'));
    assert.ok(!rocketmqBrokerKeys.has('kvConfigPath'));
    assert.ok(rocketmqNamesrvKeys.has('kvConfigPath'));
    assert.ok(rocketmqNamesrvKeys.has('listenPort'));
  });

  it('spells every shared key as RocketMQ does and marks every other key Petrel-only', () => {
    checkAgainst(brokerConfigSchema, rocketmqBrokerKeys);
    // Controller keys are RocketMQ 5's (ControllerConfig, and NamesrvConfig's switch).
    const controllerKeys = new Set(Object.keys(namesrvControllerSchema));
    const namesrvOwn = Object.entries(namesrvSchema).filter(([key]) => !controllerKeys.has(key));
    checkAgainst(Object.fromEntries(namesrvOwn), rocketmqNamesrvKeys);
    const rocketmq5 = new Set([...rocketmqControllerKeys, 'enableControllerInNamesrv']);
    checkAgainst(namesrvControllerSchema, rocketmq5);
    for (const old of Object.keys(storeRenamedKeys)) assert.ok(rocketmqBrokerKeys.has(old), old);
  });

  it('declares each broker key in one schema only', () => {
    const all = [brokerSchema, storeSchema, dledgerSchema, controllerModeSchema].flatMap((s) =>
      Object.keys(s),
    );
    assert.equal(new Set(all).size, all.length);
  });
});
