// The ACL account of the command-line tools, as RocketMQ's mqadmin finds it: the accessKey and
// secretKey of $ROCKETMQ_HOME/conf/tools.yml (MQAdminStartup: AclUtils.getAclRPCHook(rocketmqHome
// + "/conf/tools.yml")). No file, or a file without both keys: requests go unsigned.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, MqError } from '../common/errors.js';

export function toolsCredentials(
  env: Readonly<Record<string, string | undefined>>,
): { accessKey: string; secretKey: string } | Record<string, never> {
  const home = env['ROCKETMQ_HOME'];
  if (home === undefined || home === '') return {};
  const file = join(home, 'conf', 'tools.yml');
  if (!existsSync(file)) return {};
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MqError(ErrorCode.ACL_CONFIG_INVALID, `${file}: ${(error as Error).message}`);
  }
  const fields = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  const accessKey = fields['accessKey'];
  const secretKey = fields['secretKey'];
  if (
    accessKey === undefined ||
    accessKey === null ||
    secretKey === undefined ||
    secretKey === null
  ) {
    return {};
  }
  return { accessKey: String(accessKey), secretKey: String(secretKey) };
}
