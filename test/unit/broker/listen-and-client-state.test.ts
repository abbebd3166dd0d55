// Edge errors with stable codes: a server that cannot listen (E_LISTEN_FAILED, naming the address)
// and a client used in the wrong state (E_CLIENT_STATE).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Producer } from '../../../client/producer.js';
import { MqError } from '../../../common/errors.js';
import { RemotingServer } from '../../../protocol/index.js';
import { listenOrExplain } from '../../../server/listen.js';

describe('edge errors', () => {
  it('names the address with E_LISTEN_FAILED when the port is taken', async () => {
    const first = new RemotingServer();
    const bound = await first.listen({ host: '127.0.0.1', port: 0 });
    const second = new RemotingServer();
    try {
      await assert.rejects(
        listenOrExplain(second, 'broker', '127.0.0.1', bound.port),
        (error: unknown) => {
          assert.ok(error instanceof MqError);
          assert.equal(error.code, 'E_LISTEN_FAILED');
          assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${bound.port}`));
          return true;
        },
      );
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('refuses a second start of a producer with E_CLIENT_STATE', async () => {
    const producer = new Producer({ namesrvAddr: '127.0.0.1:1', groupName: 'PG_STATE' });
    await producer.start();
    try {
      await assert.rejects(producer.start(), (error: unknown) => {
        assert.ok(error instanceof MqError);
        assert.equal(error.code, 'E_CLIENT_STATE');
        return true;
      });
    } finally {
      await producer.shutdown();
    }
  });
});
