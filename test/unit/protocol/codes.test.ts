import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DLedgerRequestCode,
  isKnownRequestCode,
  RequestCode,
  requestCodeName,
} from '../../../protocol/request-code.js';
import {
  DLedgerResponseCode,
  dledgerResponseCodeName,
  ResponseCode,
  responseCodeName,
} from '../../../protocol/response-code.js';

describe('request and response codes', () => {
  it('carry the RocketMQ 4.9.7 numbers that ali-ons uses', () => {
    assert.equal(RequestCode.SEND_MESSAGE_V2, 310);
    assert.equal(RequestCode.PULL_MESSAGE, 11);
    assert.equal(RequestCode.GET_ROUTEINFO_BY_TOPIC, 105);
    assert.equal(RequestCode.HEART_BEAT, 34);
    assert.equal(RequestCode.CONSUMER_SEND_MSG_BACK, 36);
    assert.equal(RequestCode.GET_KV_CONFIG_BY_VALUE, 217);
    assert.equal(RequestCode.SEND_REPLY_MESSAGE_V2, 325);
    assert.equal(ResponseCode.PULL_OFFSET_MOVED, 21);
    assert.equal(ResponseCode.FLOW_CONTROL, 215);
    assert.equal(DLedgerRequestCode.VOTE, 51001);
    assert.equal(DLedgerResponseCode.WAIT_QUORUM_ACK_TIMEOUT, 502);
  });

  it('name codes for logs, including unknown ones', () => {
    assert.equal(requestCodeName(310), 'SEND_MESSAGE_V2(310)');
    assert.equal(requestCodeName(51004), 'PUSH(51004)');
    assert.equal(requestCodeName(9999), 'UNKNOWN(9999)');
    assert.equal(responseCodeName(3), 'REQUEST_CODE_NOT_SUPPORTED(3)');
    assert.equal(responseCodeName(-5), 'UNKNOWN(-5)');
    assert.equal(dledgerResponseCodeName(200), 'SUCCESS(200)');
    assert.equal(isKnownRequestCode(36), true);
    assert.equal(isKnownRequestCode(51001), false);
  });

  it('have no duplicate numbers within a table', () => {
    for (const table of [RequestCode, ResponseCode, DLedgerRequestCode, DLedgerResponseCode]) {
      const values = Object.values(table);
      assert.equal(new Set(values).size, values.length);
    }
  });
});
