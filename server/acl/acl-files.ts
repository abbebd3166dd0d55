// Where the plain ACL lives and how it is kept current. RocketMQ 4.9 reads
// $ROCKETMQ_HOME/conf/plain_acl.yml plus every *.yml under $ROCKETMQ_HOME/conf/acl/, and a file
// watcher reloads them when their content changes (checked every 500 ms by digest). Petrel does
// the same; `aclFile` names one file instead. A reload that fails (bad YAML, a bad account)
// keeps the table in force and is logged: a typo never opens or closes the broker.
//
// RocketMQ: acl/.../plain/PlainPermissionManager.java (fileHome, defaultAclDir, defaultAclFile,
// watch), srvutil/.../FileWatchService.java.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, MqError } from '../../common/errors.js';
import type { Logger } from '../../protocol/logger.js';
import {
  type AclTable,
  mergeAclFiles,
  type ParsedAclFile,
  parseAclFile,
} from './plain-acl-config.js';

export interface AclLocation {
  /** An explicit file (the `aclFile` key); wins over the home directory. */
  aclFile?: string | undefined;
  /** rocketmqHome (key), else $ROCKETMQ_HOME. */
  rocketmqHome?: string | undefined;
}

/** The files that make the table, in load order; an error when there is none. */
export function locateAclFiles(location: AclLocation): string[] {
  if (location.aclFile !== undefined) {
    if (!existsSync(location.aclFile)) {
      throw new MqError(
        ErrorCode.ACL_CONFIG_INVALID,
        `aclEnable=true but aclFile ${location.aclFile} does not exist`,
      );
    }
    return [location.aclFile];
  }
  const home = location.rocketmqHome;
  if (home === undefined || home === '') {
    throw new MqError(
      ErrorCode.ACL_CONFIG_INVALID,
      'aclEnable=true needs the ACL file: set aclFile, or rocketmqHome (or ROCKETMQ_HOME) to a ' +
        'directory with conf/plain_acl.yml or conf/acl/*.yml',
    );
  }
  const files: string[] = [];
  const main = join(home, 'conf', 'plain_acl.yml');
  if (existsSync(main)) files.push(main);
  const dir = join(home, 'conf', 'acl');
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith('.yml') || name.endsWith('.yaml')) files.push(join(dir, name));
    }
  }
  if (files.length === 0) {
    throw new MqError(
      ErrorCode.ACL_CONFIG_INVALID,
      `aclEnable=true but neither ${main} nor ${dir}/*.yml exists`,
    );
  }
  return files;
}

interface Snapshot {
  digest: string;
  texts: Array<[string, string]>;
}

function readAll(location: AclLocation): Snapshot {
  const texts: Array<[string, string]> = [];
  const hash = createHash('sha1');
  for (const file of locateAclFiles(location)) {
    const text = readFileSync(file, 'utf8');
    texts.push([file, text]);
    hash.update(file).update('\0').update(text).update('\0');
  }
  return { digest: hash.digest('hex'), texts };
}

function build(snapshot: Snapshot): AclTable {
  const parsed: Array<[string, ParsedAclFile]> = snapshot.texts.map(([file, text]) => [
    file,
    parseAclFile(text, file),
  ]);
  return mergeAclFiles(parsed);
}

/** The ACL table in force, loaded at start and reloaded when the files change. */
export class AclFiles {
  readonly #location: AclLocation;
  readonly #logger: Logger;
  #table: AclTable;
  #digest: string;
  #timer: NodeJS.Timeout | null = null;
  #reloads = 0;
  #failedReloads = 0;
  #lastRefused = '';

  /** Loads the files now; throws MqError E_ACL_CONFIG_INVALID when they are missing or bad. */
  constructor(location: AclLocation, logger: Logger) {
    this.#location = location;
    this.#logger = logger;
    const snapshot = readAll(location);
    try {
      this.#table = build(snapshot);
    } catch (error) {
      throw new MqError(
        ErrorCode.ACL_CONFIG_INVALID,
        (error as Error).message,
        {},
        { cause: error },
      );
    }
    this.#digest = snapshot.digest;
  }

  get table(): AclTable {
    return this.#table;
  }

  /** Successful reloads and refused ones since start. */
  get reloadCounts(): { reloads: number; failed: number } {
    return { reloads: this.#reloads, failed: this.#failedReloads };
  }

  /** Polls the files every `intervalMs` and reloads when their content changed. */
  watch(intervalMs: number): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => this.reloadIfChanged(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Reloads when the content changed; returns true if a new table is in force. */
  reloadIfChanged(): boolean {
    let snapshot: Snapshot;
    try {
      snapshot = readAll(this.#location);
    } catch (error) {
      return this.#refuse(unreadableDigest(error), error);
    }
    if (snapshot.digest === this.#digest) return false;
    try {
      this.#table = build(snapshot);
    } catch (error) {
      return this.#refuse(snapshot.digest, error);
    }
    this.#digest = snapshot.digest;
    this.#reloads++;
    this.#logger.info('ACL reloaded', {
      files: this.#table.files.join(', '),
      accounts: this.#table.accounts.size,
    });
    return true;
  }

  /** Logs a refused reload once per distinct content; the old table stays in force. */
  #refuse(digest: string, error: unknown): false {
    if (digest !== this.#lastRefused) {
      this.#lastRefused = digest;
      this.#failedReloads++;
      this.#logger.error('ACL reload refused; the previous ACL stays in force', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return false;
  }
}

/** Stands for files that cannot be read, so one lasting failure is logged once. */
function unreadableDigest(error: unknown): string {
  return `unreadable:${error instanceof Error ? error.message : String(error)}`;
}
