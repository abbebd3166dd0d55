// RocketMQ 4.x plain_acl.yml: global white remote addresses and accounts with their permissions.
// One file or several (conf/plain_acl.yml plus conf/acl/*.yml) make one table; an accessKey may
// appear in one file only.
//
// RocketMQ: acl/.../plain/PlainPermissionManager.java (load, buildPlainAccessResource,
// checkPlainAccessConfig: accessKey and secretKey longer than 6 characters),
// acl/.../common/Permission.java (DENY 1, ANY 2, PUB 4, SUB 8; parsePermFromString: anything
// else than PUB, SUB, PUB|SUB, SUB|PUB reads as DENY), PlainAccessResource.getRetryTopic (group
// permissions are kept under the group's retry topic "%RETRY%<group>").
//
// Petrel is stricter where RocketMQ is silent: an unknown permission word, an unknown account
// field or a malformed address pattern is an error naming the file and the account, so a typo
// never turns into DENY (or into an open broker) without a word.

import { parse as parseYaml } from 'yaml';
import { type AddressMatcher, parseRemoteAddress } from './remote-address.js';

export const Perm = { DENY: 1, ANY: 2, PUB: 4, SUB: 8 } as const;

export const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';

export function retryTopic(group: string): string {
  return `${RETRY_GROUP_TOPIC_PREFIX}${group}`;
}

export interface AclAccount {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly whiteRemoteAddress: AddressMatcher;
  readonly admin: boolean;
  readonly defaultTopicPerm: number;
  readonly defaultGroupPerm: number;
  /** Topic name, or "%RETRY%<group>" for a group, to its permission bits. */
  readonly resourcePerms: ReadonlyMap<string, number>;
  /** The file that declares the account. */
  readonly file: string;
}

export interface AclTable {
  readonly globalWhiteRemoteAddresses: readonly AddressMatcher[];
  readonly accounts: ReadonlyMap<string, AclAccount>;
  readonly files: readonly string[];
}

const ACCOUNT_FIELDS = new Set([
  'accessKey',
  'secretKey',
  'whiteRemoteAddress',
  'admin',
  'defaultTopicPerm',
  'defaultGroupPerm',
  'topicPerms',
  'groupPerms',
]);

const PERM_WORDS: Readonly<Record<string, number>> = {
  DENY: Perm.DENY,
  PUB: Perm.PUB,
  SUB: Perm.SUB,
  'PUB|SUB': Perm.PUB | Perm.SUB,
  'SUB|PUB': Perm.PUB | Perm.SUB,
};

/** Thrown with every problem of one file; the caller keeps the previous table on reload. */
export class AclFileError extends Error {
  override name = 'AclFileError';
}

/** "true"/"false", numbers and strings as RocketMQ's YAML-to-JSON mapping reads them. */
function scalar(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function parsePerm(value: unknown, what: string, problems: string[]): number {
  const text = scalar(value)?.trim();
  if (text === undefined) return Perm.DENY;
  const perm = PERM_WORDS[text];
  if (perm === undefined) {
    problems.push(`${what}: "${text}" is not DENY, PUB, SUB or PUB|SUB`);
    return Perm.DENY;
  }
  return perm;
}

function parseResourcePerms(
  list: unknown,
  kind: 'topic' | 'group',
  into: Map<string, number>,
  problems: string[],
): void {
  if (list === null || list === undefined) return;
  if (!Array.isArray(list)) {
    problems.push(`${kind}Perms is not a list`);
    return;
  }
  for (const entry of list) {
    const text = scalar(entry) ?? '';
    const parts = text.split('=');
    const name = parts[0]?.trim() ?? '';
    if (parts.length !== 2 || name === '') {
      problems.push(`${kind}Perms entry "${text}" is not <name>=<permission>`);
      continue;
    }
    const perm = parsePerm(parts[1], `${kind}Perms ${name}`, problems);
    into.set(kind === 'topic' ? name : retryTopic(name), perm);
  }
}

function parseAccount(raw: unknown, file: string, problems: string[]): AclAccount | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push('an account is not a mapping');
    return null;
  }
  const fields = raw as Record<string, unknown>;
  const accessKey = scalar(fields['accessKey']) ?? '';
  const at = `account "${accessKey}"`;
  const mine: string[] = [];
  for (const key of Object.keys(fields)) {
    if (!ACCOUNT_FIELDS.has(key)) mine.push(`unknown field "${key}"`);
  }
  const secretKey = scalar(fields['secretKey']) ?? '';
  if (accessKey.length <= 6) mine.push('accessKey must be longer than 6 characters');
  if (secretKey.length <= 6) mine.push('secretKey must be longer than 6 characters');
  const white = parseRemoteAddress(scalar(fields['whiteRemoteAddress']));
  if (typeof white === 'string') mine.push(`whiteRemoteAddress: ${white}`);
  const admin = fields['admin'];
  if (admin !== undefined && admin !== null && typeof admin !== 'boolean') {
    mine.push('admin must be true or false');
  }
  const resourcePerms = new Map<string, number>();
  const account: AclAccount = {
    accessKey,
    secretKey,
    whiteRemoteAddress: typeof white === 'string' ? () => false : white,
    admin: admin === true,
    defaultTopicPerm: parsePerm(fields['defaultTopicPerm'], 'defaultTopicPerm', mine),
    defaultGroupPerm: parsePerm(fields['defaultGroupPerm'], 'defaultGroupPerm', mine),
    resourcePerms,
    file,
  };
  parseResourcePerms(fields['topicPerms'], 'topic', resourcePerms, mine);
  parseResourcePerms(fields['groupPerms'], 'group', resourcePerms, mine);
  for (const problem of mine) problems.push(`${at}: ${problem}`);
  return mine.length === 0 ? account : null;
}

export interface ParsedAclFile {
  readonly globalWhiteRemoteAddresses: readonly AddressMatcher[];
  readonly accounts: readonly AclAccount[];
}

/** Parses one plain_acl.yml text; throws AclFileError listing every problem. */
export function parseAclFile(text: string, file: string): ParsedAclFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new AclFileError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  doc ??= {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new AclFileError(`${file}: the top level is not a mapping`);
  }
  const top = doc as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(top)) {
    if (key !== 'globalWhiteRemoteAddresses' && key !== 'accounts') {
      problems.push(`unknown top-level key "${key}"`);
    }
  }
  const whites: AddressMatcher[] = [];
  const rawWhites = top['globalWhiteRemoteAddresses'] ?? [];
  if (!Array.isArray(rawWhites)) problems.push('globalWhiteRemoteAddresses is not a list');
  else {
    for (const entry of rawWhites) {
      const matcher = parseRemoteAddress(scalar(entry));
      if (typeof matcher === 'string') problems.push(`globalWhiteRemoteAddresses: ${matcher}`);
      else whites.push(matcher);
    }
  }
  const accounts: AclAccount[] = [];
  const rawAccounts = top['accounts'] ?? [];
  if (!Array.isArray(rawAccounts)) problems.push('accounts is not a list');
  else {
    for (const raw of rawAccounts) {
      const account = parseAccount(raw, file, problems);
      if (account !== null) accounts.push(account);
    }
  }
  if (problems.length > 0) throw new AclFileError(`${file}: ${problems.join('; ')}`);
  return { globalWhiteRemoteAddresses: whites, accounts };
}

/** Merges the parsed files into one table; an accessKey declared twice is an error. */
export function mergeAclFiles(parsed: ReadonlyArray<[string, ParsedAclFile]>): AclTable {
  const whites: AddressMatcher[] = [];
  const accounts = new Map<string, AclAccount>();
  for (const [file, one] of parsed) {
    whites.push(...one.globalWhiteRemoteAddresses);
    for (const account of one.accounts) {
      const earlier = accounts.get(account.accessKey);
      if (earlier !== undefined) {
        throw new AclFileError(
          `accessKey "${account.accessKey}" is declared in both ${earlier.file} and ${file}`,
        );
      }
      accounts.set(account.accessKey, account);
    }
  }
  return { globalWhiteRemoteAddresses: whites, accounts, files: parsed.map(([f]) => f) };
}
