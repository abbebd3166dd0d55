// Security keys Petrel does not implement. Accepting them and carrying on would leave an
// operator believing a broker is protected when it is not, so a file that sets one is refused
// with E_CONFIG_UNSUPPORTED, the key, its line and what to use instead (never "accepted and
// ignored", never a mere warning, not even with --lenient).

export const unsupportedSecurityKeys: Readonly<Record<string, string>> = {
  'tls.config.file':
    'Petrel reads the tls.* keys from this .properties file itself, not from a separate tls.properties',
  'tls.enable': 'use useTLS=true for outbound connections and tls.server.mode for the listener',
  'tls.server.authClient':
    'use tls.server.need.client.auth (optional or require check client certificates against tls.server.trustCertPath)',
  'tls.ciphers': 'Petrel uses Node.js default TLS ciphers; cipher selection is not configurable',
  'tls.protocols': 'Petrel uses Node.js default TLS versions (TLS 1.2 and 1.3)',
  authenticationEnabled:
    'RocketMQ 5 ACL 2.0 is not implemented; use aclEnable=true with plain_acl.yml (RocketMQ 4.x ACL)',
  authorizationEnabled:
    'RocketMQ 5 ACL 2.0 is not implemented; use aclEnable=true with plain_acl.yml (RocketMQ 4.x ACL)',
  authenticationProvider: 'RocketMQ 5 ACL 2.0 is not implemented; use aclEnable=true',
  authorizationProvider: 'RocketMQ 5 ACL 2.0 is not implemented; use aclEnable=true',
  authenticationMetadataProvider: 'RocketMQ 5 ACL 2.0 is not implemented; use aclEnable=true',
  authorizationMetadataProvider: 'RocketMQ 5 ACL 2.0 is not implemented; use aclEnable=true',
  authenticationWhitelist:
    'RocketMQ 5 ACL 2.0 is not implemented; use globalWhiteRemoteAddresses in plain_acl.yml',
  innerClientAuthenticationCredentials:
    'RocketMQ 5 ACL 2.0 is not implemented; use aclAccessKey and aclSecretKey',
  enableAclRpcHookForClusterMode:
    'the broker signs its requests whenever aclAccessKey and aclSecretKey are set',
};

// RocketMQ 5 controller-mode keys Petrel does not implement and that change what an
// acknowledgement or an election means: refused, as above.
export const unsupportedControllerModeKeys: Readonly<Record<string, string>> = {
  totalReplicas:
    'Petrel does not count replicas for acknowledgements; use allAckInSyncStateSet=true to wait for every SyncStateSet member',
  inSyncReplicas:
    'Petrel does not count replicas for acknowledgements; use allAckInSyncStateSet=true to wait for every SyncStateSet member',
  minInSyncReplicas:
    'Petrel does not refuse puts below a replica count; use allAckInSyncStateSet=true to wait for every SyncStateSet member',
  enableAutoInSyncReplicas:
    'Petrel does not lower the acknowledgement count automatically; use allAckInSyncStateSet',
  asyncLearner: 'learner replicas (outside every SyncStateSet) are not implemented',
  syncFromLastFile:
    'a new replica always copies the whole CommitLog from the master; starting from its last file is not implemented',
  brokerElectionPriority:
    'the controller elects the SyncStateSet replica with the highest confirmed offset; election priorities are not implemented',
  enableSlaveActingMaster:
    'RocketMQ 5 slave acting master is not implemented; use enableControllerMode=true (automatic election)',
  fetchControllerAddrByDnsLookup: 'list every controller in controllerAddr',
};
