// Cross-field rules of the controller keys: a NameServer with enableControllerInNamesrv=true and
// every standalone controller need controllerDLegerGroup, controllerDLegerPeers and
// controllerDLegerSelfId, with the self id among the peers and its Raft port not the remoting
// port. Controller keys set on a NameServer that hosts no controller are reported as ignored.

import type { ControllerConfig, ControllerProcessConfig } from './controller-schema.js';
import type { ConfigDraft } from './draft.js';
import type { NamesrvConfig } from './namesrv-schema.js';

type ControllerDraft = ConfigDraft<ControllerConfig & { listenPort: number }>;

function validateControllerModes(d: ControllerDraft): void {
  if (d.get('controllerType') !== 'DLedger') {
    d.unsupported(
      'controllerType',
      `not supported by Petrel: "${d.get('controllerType')}"; Petrel controllers replicate with Raft (DLedger) only`,
    );
  }
  if (d.get('processReadEvent')) {
    d.unsupported(
      'processReadEvent',
      'not supported by Petrel: reads are answered by the ready Raft leader from its applied state',
    );
  }
}

function validateControllerPeers(d: ControllerDraft, because: string | undefined): void {
  validateControllerModes(d);
  const needed = because === undefined ? 'is required' : `is required when ${because}=true`;
  const group = d.get('controllerDLegerGroup');
  const peers = d.get('controllerDLegerPeers');
  const selfId = d.get('controllerDLegerSelfId');
  if (group === undefined) d.problem('controllerDLegerGroup', needed, because);
  if (peers === undefined) d.problem('controllerDLegerPeers', needed, because);
  if (selfId === undefined) d.problem('controllerDLegerSelfId', needed, because);
  if (peers === undefined || selfId === undefined) return;
  const ids = peers.map((p) => p.id);
  const self = peers.find((p) => p.id === selfId);
  if (self === undefined) {
    d.problem(
      'controllerDLegerSelfId',
      `"${selfId}" is not among the controllerDLegerPeers ids ${ids.join(', ')}`,
    );
  } else if (self.port === d.get('listenPort')) {
    d.problem(
      'controllerDLegerPeers',
      `${selfId}'s Raft port ${self.port} is also the listenPort (controller requests use listenPort)`,
    );
  }
}

const CONTROLLER_ONLY_KEYS = [
  'controllerDLegerGroup',
  'controllerDLegerPeers',
  'controllerDLegerSelfId',
  'controllerStorePath',
  'enableElectUncleanMaster',
  'notifyBrokerRoleChanged',
] as const;

/** The NameServer's controller rules (run beside validateNamesrvConfig). */
export function validateNamesrvController(d: ConfigDraft<NamesrvConfig>): void {
  if (d.get('enableControllerInNamesrv')) {
    validateControllerPeers(d as unknown as ControllerDraft, 'enableControllerInNamesrv');
    return;
  }
  for (const key of CONTROLLER_ONLY_KEYS) {
    if (d.isSet(key)) d.warn(key, 'is ignored: enableControllerInNamesrv is false');
  }
}

/** The standalone controller's rules. */
export function validateControllerProcess(d: ConfigDraft<ControllerProcessConfig>): void {
  validateControllerPeers(d as unknown as ControllerDraft, undefined);
}
