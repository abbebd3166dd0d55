// Turns a server's security keys into what its remoting server and clients take: the TLS
// options of the listener (files read once at start), the ACL check called before dispatch
// (with its reload timer), and the TLS and credentials of the broker's own outbound clients.
// A missing or unreadable file stops the start with E_TLS_CONFIG_INVALID or
// E_ACL_CONFIG_INVALID naming the key and the path.

import { readFileSync } from 'node:fs';
import { ErrorCode, MqError } from '../common/errors.js';
import type { BrokerCredentialsConfig, SecurityConfig } from '../config/security-schema.js';
import type { AclCredentials } from '../protocol/acl-signature.js';
import type { Logger } from '../protocol/logger.js';
import type { RemotingServerOptions } from '../protocol/remoting-server.js';
import type { TlsClientOptions, TlsServerOptions } from '../protocol/tls-options.js';
import { AclFiles } from './acl/acl-files.js';
import { createAclCheck } from './acl/acl-gate.js';

type TlsServerKeys = Pick<
  SecurityConfig,
  | 'tls.server.mode'
  | 'tls.server.certPath'
  | 'tls.server.keyPath'
  | 'tls.server.keyPassword'
  | 'tls.server.trustCertPath'
  | 'tls.server.need.client.auth'
>;
type AclKeys = Pick<
  SecurityConfig,
  'aclEnable' | 'aclFile' | 'rocketmqHome' | 'aclReloadIntervalMs'
>;

function readPem(key: string, path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new MqError(
      ErrorCode.TLS_CONFIG_INVALID,
      `${key}=${path} cannot be read: ${(error as Error).message}`,
      { key, path },
      { cause: error },
    );
  }
}

/** The listener's TLS options, or undefined when tls.server.mode=disabled. */
export function tlsServerOptions(config: TlsServerKeys): TlsServerOptions | undefined {
  const mode = config['tls.server.mode'];
  if (mode === 'disabled') return undefined;
  const cert = readPem('tls.server.certPath', config['tls.server.certPath']);
  const key = readPem('tls.server.keyPath', config['tls.server.keyPath']);
  if (cert === undefined || key === undefined) {
    throw new MqError(
      ErrorCode.TLS_CONFIG_INVALID,
      `tls.server.mode=${mode} needs tls.server.certPath and tls.server.keyPath`,
    );
  }
  return {
    mode,
    cert,
    key,
    passphrase: config['tls.server.keyPassword'],
    ca: readPem('tls.server.trustCertPath', config['tls.server.trustCertPath']),
    clientAuth: config['tls.server.need.client.auth'],
  };
}

export interface ServerSecurity {
  /** Options to spread into the RemotingServer's. */
  readonly serverOptions: Pick<RemotingServerOptions, 'tls' | 'beforeRequest'>;
  readonly acl: AclFiles | null;
  /** Stops the ACL reload timer. */
  close(): void;
}

/** The TLS listener options and the ACL hook of a broker or NameServer. */
export function serverSecurity(config: TlsServerKeys & AclKeys, logger: Logger): ServerSecurity {
  const tls = tlsServerOptions(config);
  if (!config.aclEnable) {
    return { serverOptions: { tls }, acl: null, close: () => undefined };
  }
  const acl = new AclFiles(
    { aclFile: config.aclFile, rocketmqHome: config.rocketmqHome ?? process.env['ROCKETMQ_HOME'] },
    logger,
  );
  acl.watch(config.aclReloadIntervalMs);
  logger.info('ACL enabled', {
    files: acl.table.files.join(', '),
    accounts: acl.table.accounts.size,
  });
  return {
    serverOptions: { tls, beforeRequest: createAclCheck(acl, logger) },
    acl,
    close: () => acl.stop(),
  };
}

type OutboundKeys = Pick<
  SecurityConfig,
  | 'useTLS'
  | 'tls.client.certPath'
  | 'tls.client.keyPath'
  | 'tls.client.keyPassword'
  | 'tls.client.trustCertPath'
  | 'tls.client.authServer'
> &
  BrokerCredentialsConfig;

export interface OutboundSecurity {
  tls: TlsClientOptions | undefined;
  credentials: AclCredentials | undefined;
}

/** TLS and credentials of a broker's connections to NameServers and to its master. */
export function outboundSecurity(config: OutboundKeys): OutboundSecurity {
  const accessKey = config.aclAccessKey;
  const secretKey = config.aclSecretKey;
  const credentials =
    accessKey !== undefined && secretKey !== undefined ? { accessKey, secretKey } : undefined;
  if (!config.useTLS) return { tls: undefined, credentials };
  return {
    tls: {
      ca: readPem('tls.client.trustCertPath', config['tls.client.trustCertPath']),
      cert: readPem('tls.client.certPath', config['tls.client.certPath']),
      key: readPem('tls.client.keyPath', config['tls.client.keyPath']),
      passphrase: config['tls.client.keyPassword'],
      verifyServer: config['tls.client.authServer'],
    },
    credentials,
  };
}
