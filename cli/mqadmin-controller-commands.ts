// The option specs of mqadmin's controller-mode commands, with RocketMQ 5's names and letters
// (tools/.../command/controller/GetControllerMetaDataSubCommand.java, ReElectMasterSubCommand.java,
// ha/GetSyncStateSetSubCommand.java). They talk to a controller (-a), so -n is optional.

import type { CommandSpec, OptionSpec } from './mqadmin-args.js';

const controllerAddress: OptionSpec = {
  short: 'a',
  long: 'controllerAddress',
  description: 'controller address(es), "host:port;host:port" (the leader is found from any)',
  isRequired: true,
};

/** Without the namesrv and json options every command also takes (added by mqadmin-args). */
export const CONTROLLER_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'getControllerMetaData',
    description: 'Show the controller Raft group, its leader and its peers',
    options: [controllerAddress],
    isNamesrvOptional: true,
  },
  {
    name: 'getSyncStateSet',
    description: "Show broker groups' master, epochs and in-sync / not-in-sync replicas",
    options: [
      controllerAddress,
      { short: 'b', long: 'brokerName', description: 'broker group(s), comma-separated' },
      {
        short: 'c',
        long: 'clusterName',
        description: 'every broker group of a cluster (needs -n)',
      },
    ],
    isNamesrvOptional: true,
  },
  {
    name: 'electMaster',
    description: 'Elect a designated alive SyncStateSet member master of its group',
    options: [
      controllerAddress,
      { short: 'b', long: 'brokerName', description: 'broker group', isRequired: true },
      { short: 'i', long: 'brokerId', description: 'broker id to elect', isRequired: true },
      { short: 'c', long: 'clusterName', description: 'cluster of the group', isRequired: true },
    ],
    isNamesrvOptional: true,
  },
  {
    name: 'getBrokerEpoch',
    description: "Show each broker's epoch entries (epoch, start and end offset) and max offset",
    options: [
      { short: 'b', long: 'brokerName', description: 'broker group(s), comma-separated' },
      { short: 'c', long: 'clusterName', description: 'every broker group of a cluster' },
    ],
  },
];
