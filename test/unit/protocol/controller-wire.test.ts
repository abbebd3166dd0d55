// Goal: the controller-mode bodies and headers read what RocketMQ 5's Java side writes and write
// what it reads. Method: fastjson text as Java emits it (numeric map keys unquoted, Long.MAX_VALUE
// end offsets), decoded and re-encoded. Checked: ids, epochs and addresses survive; the open
// epoch's end offset is Long.MAX_VALUE on the wire; malformed bodies and headers name the field.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BrokerHeartbeatRequestHeader,
  decodeBrokerNameList,
  decodeBrokerReplicasInfo,
  decodeElectMasterResponseBody,
  decodeEpochEntryCache,
  decodeSyncStateSet,
  ElectMasterRequestHeader,
  EPOCH_END_OPEN,
  encodeBrokerReplicasInfo,
  encodeElectMasterResponseBody,
  encodeEpochEntryCache,
  encodeSyncStateSet,
  GetMetaDataResponseHeader,
  RequestCode,
  ResponseCode,
  requestCodeName,
} from '../../../protocol/index.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('controller wire', () => {
  it('carries RocketMQ 5.1.4 code numbers', () => {
    assert.equal(RequestCode.BROKER_HEARTBEAT, 904);
    assert.equal(RequestCode.CONTROLLER_ALTER_SYNC_STATE_SET, 1001);
    assert.equal(RequestCode.NOTIFY_BROKER_ROLE_CHANGED, 1008);
    assert.equal(RequestCode.CONTROLLER_APPLY_BROKER_ID, 1013);
    assert.equal(ResponseCode.CONTROLLER_NOT_LEADER, 2007);
    assert.equal(ResponseCode.CONTROLLER_BROKER_ID_INVALID, 2014);
    assert.equal(requestCodeName(1002), 'CONTROLLER_ELECT_MASTER(1002)');
  });

  it('reads fastjson SyncStateSet and ElectMasterResponseBody (numeric keys unquoted)', () => {
    const set = decodeSyncStateSet(bytes('{"syncStateSet":[2,1],"syncStateSetEpoch":3}'));
    assert.deepEqual(set, { syncStateSet: [2, 1], syncStateSetEpoch: 3 });
    assert.equal(
      encodeSyncStateSet(set).toString(),
      '{"syncStateSet":[1,2],"syncStateSetEpoch":3}',
    );
    const java =
      '{"brokerMemberGroup":{"brokerAddrs":{1:"10.0.0.1:10911",2:"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"},"syncStateSet":[2]}';
    const body = decodeElectMasterResponseBody(bytes(java));
    assert.deepEqual(body.brokerMemberGroup?.brokerAddrs, {
      1: '10.0.0.1:10911',
      2: '10.0.0.2:10911',
    });
    assert.deepEqual(decodeElectMasterResponseBody(encodeElectMasterResponseBody(body)), body);
  });

  it('round-trips BrokerReplicasInfo and the brokerNames list', () => {
    const info = {
      replicasInfoTable: {
        'broker-a': {
          masterBrokerId: 2,
          masterAddress: '10.0.0.2:10911',
          masterEpoch: 2,
          syncStateSetEpoch: 3,
          inSyncReplicas: [
            { brokerName: 'broker-a', brokerId: 2, brokerAddress: '10.0.0.2:10911', alive: true },
          ],
          notInSyncReplicas: [
            { brokerName: 'broker-a', brokerId: 1, brokerAddress: '10.0.0.1:10911', alive: false },
          ],
        },
      },
    };
    assert.deepEqual(decodeBrokerReplicasInfo(encodeBrokerReplicasInfo(info)), info);
    assert.deepEqual(decodeBrokerNameList(bytes('["broker-a","broker-b"]')), [
      'broker-a',
      'broker-b',
    ]);
    assert.throws(() => decodeBrokerNameList(bytes('[1]')), { code: 'E_BODY_MALFORMED' });
  });

  it("writes the open epoch's end offset as Java's Long.MAX_VALUE", () => {
    const java =
      '{"brokerId":1,"brokerName":"broker-a","clusterName":"c","epochList":[{"endOffset":1024,"epoch":1,"startOffset":0},{"endOffset":9223372036854775807,"epoch":2,"startOffset":1024}],"maxOffset":2048}';
    const cache = decodeEpochEntryCache(bytes(java));
    assert.equal(cache.epochList[1]?.endOffset, EPOCH_END_OPEN);
    assert.equal(encodeEpochEntryCache(cache).toString(), java);
  });

  it('names the field of a malformed body or header', () => {
    assert.throws(() => decodeSyncStateSet(bytes('{"syncStateSet":["x"]}')), {
      code: 'E_BODY_MALFORMED',
      message: /SyncStateSet.syncStateSet\[0\] is not an integer/,
    });
    const header = BrokerHeartbeatRequestHeader.decode({
      clusterName: 'c',
      brokerAddr: 'a:1',
      brokerName: 'b',
      maxOffset: '12x',
    });
    assert.equal(header.ok, false);
    assert.match(header.ok ? '' : header.error.message, /maxOffset/);
    const elect = ElectMasterRequestHeader.decode({ brokerName: 'b', designateElect: 'true' });
    assert.deepEqual(elect, { ok: true, header: { brokerName: 'b', designateElect: true } });
    assert.deepEqual(
      { ...GetMetaDataResponseHeader.encode({ isLeader: false, peers: 'n0:h:1;' }) },
      {
        isLeader: 'false',
        peers: 'n0:h:1;',
      },
    );
  });
});
