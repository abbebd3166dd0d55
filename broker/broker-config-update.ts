// UPDATE_BROKER_CONFIG (25), behind mqadmin updateBrokerConfig: the body is a properties text
// (`key=value` lines). Keys whose new value takes effect at once are applied to the running
// broker; any other key is refused naming the keys that are live, since RocketMQ would write it to
// the config file for the next start, which Petrel does not do (the operator edits the file).
//
// Live keys: brokerPermission (the broker re-registers at once, so routes stop or resume sending
// to it: RocketMQ's way to drain a broker before stopping it), accessMessageInMemoryMaxRatio (the
// slave-read rule).
//
// RocketMQ: broker/.../processor/AdminBrokerProcessor.java (updateBrokerConfig),
// BrokerController.getConfiguration().update(properties).

import { type BrokerConfig, brokerConfigSchema } from '../config/load.js';
import { parseProperties } from '../config/properties.js';
import { type RemotingCommand, RequestCode, ResponseCode } from '../protocol/index.js';
import { failure, type ProcessorRegistry, success } from '../server/request-kit.js';
import type { BrokerContext } from './broker-context.js';

export const LIVE_BROKER_KEYS = ['brokerPermission', 'accessMessageInMemoryMaxRatio'] as const;

export function registerBrokerConfigUpdate(server: ProcessorRegistry, ctx: BrokerContext): void {
  server.registerProcessor(RequestCode.UPDATE_BROKER_CONFIG, (r) => updateConfig(ctx, r));
}

function updateConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const text = request.body?.toString('utf8') ?? '';
  const parsedBody = parseProperties(text);
  const bad = parsedBody.errors[0];
  if (bad !== undefined) {
    return failure(request, ResponseCode.SYSTEM_ERROR, `line ${bad.line}: ${bad.message}`);
  }
  const changes: Record<string, unknown> = {};
  for (const { key, value } of parsedBody.entries) {
    const spec = brokerConfigSchema[key];
    if (spec === undefined) {
      return failure(request, ResponseCode.SYSTEM_ERROR, `unknown broker config key "${key}"`);
    }
    if (!(LIVE_BROKER_KEYS as readonly string[]).includes(key)) {
      const remark = `${key} cannot change while the broker runs (live keys: ${LIVE_BROKER_KEYS.join(', ')}); set it in the broker's .properties file and restart it`;
      return failure(request, ResponseCode.NO_PERMISSION, remark);
    }
    const parsed = spec.parse(value.trim());
    if (!parsed.ok) return failure(request, ResponseCode.SYSTEM_ERROR, `${key}: ${parsed.reason}`);
    changes[key] = parsed.value;
  }
  if (Object.keys(changes).length === 0) return success(request);
  // The one place the running config changes: a new frozen object, as the loader makes them.
  const next = Object.freeze({ ...ctx.config, ...changes }) as BrokerConfig;
  (ctx as { config: BrokerConfig }).config = next;
  ctx.logger.info('Broker config updated', { ...changes });
  if ('brokerPermission' in changes) {
    // As RocketMQ: a new data version, or the NameServers keep the routes they have.
    ctx.topics.touch();
    void ctx.topicsChanged();
  }
  return success(request);
}
