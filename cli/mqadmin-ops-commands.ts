// The option specs of mqadmin's day-to-day commands, with RocketMQ's names and letters
// (tools/.../command/topic/DeleteTopicSubCommand.java, consumer/UpdateSubGroupSubCommand.java,
// consumer/DeleteSubscriptionGroupCommand.java, connection/ConsumerConnectionSubCommand.java,
// connection/ProducerConnectionSubCommand.java, offset/ResetOffsetByTimeCommand.java,
// message/QueryMsgByOffsetSubCommand.java, broker/GetBrokerConfigCommand.java,
// broker/UpdateBrokerConfigSubCommand.java, broker/WipeWritePermSubCommand.java,
// broker/AddWritePermSubCommand.java, cluster/ClusterRTCommand.java, stats/StatsAllSubCommand.java),
// plus Petrel's haStatus and DLedger's leadershipTransfer.

import type { CommandSpec, OptionSpec } from './mqadmin-args.js';

const opt = (short: string, long: string, description: string, isRequired = false): OptionSpec => ({
  short,
  long,
  description,
  isRequired,
});
const group = opt('g', 'groupName', 'consumer or producer group', true);
const topic = opt('t', 'topic', 'topic name', true);
const brokerAddr = opt('b', 'brokerAddr', 'one broker, host:port');
const clusterName = opt('c', 'clusterName', 'every master of this cluster');

/** Without the namesrv and json options every command also takes (added by mqadmin-args). */
export const OPS_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'deleteTopic',
    description: 'Delete a topic from every master of a cluster and from the NameServers',
    options: [topic, opt('c', 'clusterName', 'cluster to delete it from', true)],
  },
  {
    name: 'updateSubGroup',
    description: 'Create or update a subscription group on one broker or every master of a cluster',
    options: [
      group,
      brokerAddr,
      clusterName,
      opt('s', 'consumeEnable', 'consumption allowed: true or false (default true)'),
      opt('m', 'consumeFromMinEnable', 'a new group starts at the first message (default true)'),
      opt('d', 'consumeBroadcastEnable', 'broadcast consumption allowed (default true)'),
      opt('q', 'retryQueueNums', 'retry queues (default 1)'),
      opt('r', 'retryMaxTimes', 'retries before the dead-letter queue (default 16)'),
      opt('i', 'brokerId', 'broker id consumers read from (default 0)'),
      opt('w', 'whichBrokerWhenConsumeSlowly', 'broker id for slow consumers (default 1)'),
      opt('a', 'notifyConsumerIdsChanged', 'tell consumers when members change (default true)'),
    ],
  },
  {
    name: 'deleteSubGroup',
    description: 'Delete a subscription group from one broker or every master of a cluster',
    options: [
      group,
      brokerAddr,
      clusterName,
      opt('r', 'removeOffset', 'also forget its offsets: true or false'),
    ],
  },
  {
    name: 'consumerConnection',
    description: "List a consumer group's connected clients and subscriptions",
    options: [group],
  },
  {
    name: 'producerConnection',
    description: "List a producer group's connected clients on a topic's masters",
    options: [group, topic],
  },
  {
    name: 'resetOffsetByTime',
    description: "Move a group's offsets on a topic to the first message stored at or after a time",
    options: [
      group,
      topic,
      opt('s', 'timestamp', 'ms since the epoch, yyyy-MM-dd#HH:mm:ss:SSS, or now', true),
      opt('f', 'force', 'also move offsets forward: true or false (default true)'),
    ],
  },
  {
    name: 'queryMsgByOffset',
    description: 'Show the message at a queue offset',
    options: [
      topic,
      opt('b', 'brokerName', 'broker group', true),
      opt('i', 'queueId', 'queue id', true),
      opt('o', 'offset', 'queue offset', true),
    ],
  },
  {
    name: 'getBrokerConfig',
    description: 'Print the config of one broker or of every master of a cluster',
    options: [brokerAddr, clusterName],
  },
  {
    name: 'updateBrokerConfig',
    description:
      'Change a config key that is live at runtime (brokerPermission, accessMessageInMemoryMaxRatio)',
    options: [
      brokerAddr,
      clusterName,
      opt('k', 'key', 'config key', true),
      opt('v', 'value', 'new value', true),
    ],
  },
  {
    name: 'wipeWritePerm',
    description: "Clear a broker group's write permission on every NameServer",
    options: [opt('b', 'brokerName', 'broker group', true)],
  },
  {
    name: 'addWritePerm',
    description: "Restore a broker group's write permission on every NameServer",
    options: [opt('b', 'brokerName', 'broker group', true)],
  },
  {
    name: 'clusterRT',
    description: "Send to each broker group's own topic and report the mean send time",
    options: [
      opt('a', 'amount', 'messages per broker group (default 100)'),
      opt('s', 'size', 'body bytes (default 128)'),
      opt('c', 'clusterName', 'only this cluster'),
    ],
  },
  {
    name: 'leadershipTransfer',
    description:
      "Hand a DLedger group's leadership to another member (DLedger's leadershipTransfer)",
    options: [
      opt('b', 'brokerName', 'the broker group (brokerName) of the DLedger members', true),
      opt('t', 'transfereeId', 'the member to lead, a dLegerPeers id such as n1', true),
      opt('w', 'waitMs', 'how long to wait for the new master in the route (default 10000)'),
    ],
  },
  {
    name: 'haStatus',
    description:
      'Per broker group: master, replicas, in-sync set, lag in bytes and time, epoch or term, last failover',
    options: [],
  },
  {
    name: 'statsAll',
    description: 'Topic and consumer group TPS over the last minute and counts over 24 hours',
    options: [
      { ...opt('a', 'activeTopic', 'print active topics only'), isFlag: true },
      opt('t', 'topic', 'print this topic only'),
    ],
  },
];
