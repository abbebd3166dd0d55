// `mqadmin statsAll [-a] [-t topic]`: RocketMQ's StatsAllSubCommand columns (#Topic, #Consumer
// Group, #Accumulation, #InTPS, #OutTPS, #InMsg24Hour, #OutMsg24Hour); --json gives the rows and
// any broker that failed to answer (client/stats-all.ts).

import type { Admin } from '../client/admin.js';
import { statsAll } from '../client/stats-all.js';
import type { ParsedCommand } from './mqadmin-args.js';
import { renderTable } from './mqadmin-render.js';

export async function runStatsAll(
  parsed: ParsedCommand,
  admin: Admin,
): Promise<{ text: string; json: unknown }> {
  const topic = parsed.values['topic'];
  const report = await statsAll(admin, {
    activeTopic: parsed.values['activeTopic'] === 'true',
    ...(topic === undefined ? {} : { topic }),
  });
  const tps = (n: number) => n.toFixed(2);
  const rows = report.rows.map((r) => [
    r.topic,
    r.group ?? '',
    r.accumulation,
    tps(r.inTps),
    r.outTps === null ? '' : tps(r.outTps),
    r.inMsg24Hour,
    r.outMsg24Hour === null ? 'NO_CONSUMER' : r.outMsg24Hour,
  ]);
  const table = renderTable(
    [
      '#Topic',
      '#Consumer Group',
      '#Accumulation',
      '#InTPS',
      '#OutTPS',
      '#InMsg24Hour',
      '#OutMsg24Hour',
    ],
    rows,
  );
  const errors = report.errors.map((e) => `error: ${e}`);
  return { text: [table, ...errors].join('\n'), json: report };
}
