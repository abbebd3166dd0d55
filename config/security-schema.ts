// Security keys of the broker and the NameServer: RocketMQ 4.x plain ACL (aclEnable and the
// plain_acl.yml location), the broker's own credentials for its requests to NameServers and
// masters, and TLS (RocketMQ's tls.* names, which it reads from -D system properties or
// tls.properties, so they are Petrel-only keys of a .properties file here).
//
// Where Petrel's default differs from RocketMQ's, it is the safer one: tls.server.mode is
// `disabled` unless set (RocketMQ: permissive with a generated test certificate), and a TLS
// client checks the server's certificate (RocketMQ's tls.client.authServer is false).
// RocketMQ: acl/.../plain/PlainPermissionManager.java, remoting/.../netty/TlsSystemConfig.java,
// NettyClientConfig.useTLS.

import { bool, type InferConfig, int, oneOf, type Schema, str } from './schema.js';

export const TlsServerMode = ['disabled', 'permissive', 'enforcing'] as const;
export type TlsServerMode = (typeof TlsServerMode)[number];

export const aclSchema = {
  aclEnable: bool({
    default: false,
    doc: 'Check every request against the plain ACL (plain_acl.yml): signature, account, topic and group permissions, admin-only codes. See docs/security.md.',
  }),
  rocketmqHome: str({
    optional: true,
    defaultDoc: 'the ROCKETMQ_HOME environment variable',
    doc: 'Home whose conf/plain_acl.yml and conf/acl/*.yml hold the ACL when aclEnable=true.',
  }),
  aclFile: str({
    optional: true,
    petrelOnly: true,
    doc: 'The ACL file itself, instead of <rocketmqHome>/conf/plain_acl.yml and conf/acl/*.yml.',
  }),
  aclReloadIntervalMs: int({
    min: 100,
    unit: 'ms',
    default: 500,
    petrelOnly: true,
    doc: 'How often the ACL files are checked for changes and reloaded (RocketMQ: 500 ms).',
  }),
} satisfies Schema;

export const tlsServerSchema = {
  'tls.server.mode': oneOf(TlsServerMode, {
    petrelOnly: true,
    default: 'disabled',
    doc: 'disabled: plain TCP only. permissive: TLS and plain TCP on the same port. enforcing: TLS only. (RocketMQ defaults to permissive.)',
  }),
  'tls.server.certPath': str({
    petrelOnly: true,
    optional: true,
    doc: 'PEM certificate (chain) the server presents; required unless tls.server.mode=disabled.',
  }),
  'tls.server.keyPath': str({
    petrelOnly: true,
    optional: true,
    doc: 'PEM private key of tls.server.certPath.',
  }),
  'tls.server.keyPassword': str({
    petrelOnly: true,
    optional: true,
    doc: 'Passphrase of an encrypted tls.server.keyPath.',
  }),
  'tls.server.trustCertPath': str({
    petrelOnly: true,
    optional: true,
    doc: 'PEM CA certificates client certificates are checked against.',
  }),
  'tls.server.need.client.auth': oneOf(['none', 'optional', 'require'], {
    petrelOnly: true,
    default: 'none',
    doc: 'none: no client certificate asked. optional: a presented certificate must verify. require: a verified client certificate is required.',
  }),
} satisfies Schema;

/** TLS of the server's own outbound connections (a broker to NameServers and to its master). */
export const tlsClientSchema = {
  useTLS: bool({
    default: false,
    doc: 'Open outbound remoting connections (to NameServers, and a slave to its master) with TLS.',
  }),
  'tls.client.certPath': str({
    petrelOnly: true,
    optional: true,
    doc: 'PEM certificate presented to servers that ask for one.',
  }),
  'tls.client.keyPath': str({
    optional: true,
    petrelOnly: true,
    doc: 'PEM private key of tls.client.certPath.',
  }),
  'tls.client.keyPassword': str({
    petrelOnly: true,
    optional: true,
    doc: 'Passphrase of an encrypted tls.client.keyPath.',
  }),
  'tls.client.trustCertPath': str({
    petrelOnly: true,
    optional: true,
    doc: "PEM CA certificates the server's certificate is checked against (unset: the system CAs).",
  }),
  'tls.client.authServer': bool({
    petrelOnly: true,
    default: true,
    doc: "Check the server's certificate and host name (RocketMQ defaults to false).",
  }),
  'tls.test.mode.enable': bool({
    petrelOnly: true,
    default: false,
    doc: 'RocketMQ test mode (self-signed certificate, nothing checked). Petrel refuses true.',
  }),
} satisfies Schema;

/** Credentials the broker signs its own requests with when the other side has aclEnable=true. */
export const brokerCredentialsSchema = {
  aclAccessKey: str({
    optional: true,
    petrelOnly: true,
    doc: "The broker's accessKey for its requests to NameServers and (a slave) to its master; an admin account of their plain_acl.yml.",
  }),
  aclSecretKey: str({
    optional: true,
    petrelOnly: true,
    doc: 'The secretKey of aclAccessKey.',
  }),
} satisfies Schema;

/** The NameServer's aclEnable: RocketMQ 4.x NameServers have no ACL; Petrel's can. */
export const namesrvAclSchema = {
  ...aclSchema,
  aclEnable: bool({
    default: false,
    petrelOnly: true,
    doc: 'Check every request against the plain ACL: signed by a known account; broker registration and other NameServer writes need an admin account. See docs/security.md.',
  }),
} satisfies Schema;

export const securitySchema = {
  ...aclSchema,
  ...tlsServerSchema,
  ...tlsClientSchema,
} satisfies Schema;

export type SecurityConfig = InferConfig<typeof securitySchema>;
export type BrokerCredentialsConfig = InferConfig<typeof brokerCredentialsSchema>;

/** Keys whose values are secrets: printed configs show that they are set, never their value. */
export const secretKeys: ReadonlySet<string> = new Set([
  'aclSecretKey',
  'tls.server.keyPassword',
  'tls.client.keyPassword',
  'consoleAdminToken',
]);
