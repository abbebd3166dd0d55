// Cross-field rules of the security keys, shared by the broker and the NameServer: a TLS
// listener needs its certificate and key, client-certificate checks need a trust file, the
// broker's credentials come in pairs, and RocketMQ's insecure TLS test mode is refused.

import type { ConfigDraft } from './draft.js';
import type { BrokerCredentialsConfig, SecurityConfig } from './security-schema.js';

type TlsServerKeys = Pick<
  SecurityConfig,
  | 'tls.server.mode'
  | 'tls.server.certPath'
  | 'tls.server.keyPath'
  | 'tls.server.trustCertPath'
  | 'tls.server.need.client.auth'
>;

export function validateTlsServer(d: ConfigDraft<TlsServerKeys>): void {
  const mode = d.get('tls.server.mode');
  if (mode === 'disabled') return;
  for (const key of ['tls.server.certPath', 'tls.server.keyPath'] as const) {
    if (d.get(key) === undefined)
      d.problem(key, `required when tls.server.mode=${mode}`, 'tls.server.mode');
  }
  const clientAuth = d.get('tls.server.need.client.auth');
  if (mode === 'permissive' && clientAuth !== 'none') {
    d.warn(
      'tls.server.need.client.auth',
      `${clientAuth} applies to TLS clients only: tls.server.mode=permissive still accepts plain TCP (use enforcing)`,
    );
  }
  if (clientAuth !== 'none' && d.get('tls.server.trustCertPath') === undefined) {
    d.problem(
      'tls.server.trustCertPath',
      `required when tls.server.need.client.auth=${clientAuth}`,
      'tls.server.need.client.auth',
    );
  }
}

type BrokerSecurityKeys = SecurityConfig & BrokerCredentialsConfig;

export function validateBrokerSecurity(d: ConfigDraft<BrokerSecurityKeys>): void {
  validateTlsServer(d);
  if (d.get('tls.test.mode.enable')) {
    d.unsupported(
      'tls.test.mode.enable',
      'not supported by Petrel: test mode checks no certificate; give tls.server.certPath and tls.server.keyPath',
    );
  }
  const hasKey = d.get('aclAccessKey') !== undefined;
  const hasSecret = d.get('aclSecretKey') !== undefined;
  if (hasKey !== hasSecret) {
    const missing = hasKey ? 'aclSecretKey' : 'aclAccessKey';
    d.problem(
      missing,
      'aclAccessKey and aclSecretKey are set together',
      hasKey ? 'aclAccessKey' : 'aclSecretKey',
    );
  }
}
