// Topics: the list with each one's kind, a topic's queues (min and max offsets) with its
// throughput (messages stored per second, from the growth of the max offsets between refreshes),
// and the create / delete actions.

import { getJson, postAction } from './api.js';
import { h, table } from './dom.js';
import { actionForm } from './forms.js';
import type { QueueRow } from './types.js';

let last: { topic: string; atMs: number; total: number } | null = null;

export async function renderTopics(view: HTMLElement, params: URLSearchParams): Promise<void> {
  const topic = params.get('topic');
  const { topics } = await getJson<{ topics: Array<{ topic: string; kind: string }> }>('topics');
  const list = table(
    ['Topic', 'Kind'],
    topics.map((t) => [
      h('a', { href: `#/topics?topic=${encodeURIComponent(t.topic)}` }, t.topic),
      t.kind,
    ]),
  );
  const parts: Node[] = [h('h2', {}, 'Topics')];
  if (topic !== null) {
    const data = await getJson<{ queues: QueueRow[] }>('topic', { topic });
    const total = data.queues.reduce((sum, q) => sum + q.maxOffset, 0);
    const nowMs = Date.now();
    const rate =
      last !== null && last.topic === topic && nowMs > last.atMs
        ? ((total - last.total) * 1000) / (nowMs - last.atMs)
        : null;
    last = { topic, atMs: nowMs, total };
    parts.push(
      h('h3', {}, `Topic ${topic}`),
      h(
        'p',
        { 'data-throughput': rate ?? '' },
        `Throughput: ${rate === null ? '…' : `${rate.toFixed(1)} msg/s`} · ${total} messages stored`,
      ),
      h(
        'div',
        { 'data-topic-queues': topic },
        table(
          ['Broker', 'Queue', 'Min offset', 'Max offset'],
          data.queues.map((q) => [q.queue.brokerName, q.queue.queueId, q.minOffset, q.maxOffset]),
        ),
      ),
    );
  }
  parts.push(
    h('h3', {}, 'Create a topic'),
    actionForm(
      'createTopic',
      [
        ['topic', 'Topic'],
        ['clusterName', 'Cluster (optional)'],
        ['writeQueueNums', 'Queues', '8'],
      ],
      (v) =>
        postAction('createTopic', {
          topic: v['topic'],
          clusterName: v['clusterName'],
          readQueueNums: Number(v['writeQueueNums']),
          writeQueueNums: Number(v['writeQueueNums']),
        }),
    ),
    h('h3', {}, 'Delete a topic'),
    actionForm(
      'deleteTopic',
      [
        ['topic', 'Topic'],
        ['clusterName', 'Cluster'],
      ],
      (v) => postAction('deleteTopic', { topic: v['topic'], clusterName: v['clusterName'] }),
    ),
    h('h3', {}, "A broker group's write permission (on this NameServer's routes)"),
    actionForm('wipeWritePerm', [['brokerName', 'Broker group']], (v) =>
      postAction('wipeWritePerm', { brokerName: v['brokerName'] }),
    ),
    actionForm('addWritePerm', [['brokerName', 'Broker group']], (v) =>
      postAction('addWritePerm', { brokerName: v['brokerName'] }),
    ),
    h('h3', {}, 'Elect a master (controller mode, a SyncStateSet member)'),
    actionForm(
      'electMaster',
      [
        ['brokerName', 'Broker group'],
        ['brokerId', 'Broker id'],
      ],
      (v) =>
        postAction('electMaster', { brokerName: v['brokerName'], brokerId: Number(v['brokerId']) }),
    ),
    h('h3', {}, 'All topics'),
    list,
  );
  view.replaceChildren(...parts);
}
