// Scrapes a Prometheus endpoint and reads it with a real text-format parser
// (parse-prometheus-text-format, a port of the Prometheus Python client's parser).

import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { Child } from './spawn-process.js';

export type Families = ReturnType<typeof parsePrometheusTextFormat>;

export async function scrape(url: string): Promise<Families> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusTextFormat(await response.text());
}

export function family(families: Families, name: string) {
  const found = families.find((f) => f.name === name);
  assert.ok(found, `metric ${name} is exposed`);
  return found;
}

/** The samples of `name` whose labels include `labels`. */
export function samples(families: Families, name: string, labels: Record<string, string> = {}) {
  return family(families, name).metrics.filter((m) =>
    Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
  );
}

/** The value of the one sample of `name` whose labels include `labels`. */
export function value(
  families: Families,
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = samples(families, name, labels);
  assert.equal(found.length, 1, `one ${name} sample with ${JSON.stringify(labels)}`);
  return Number(found[0]?.value);
}

/** The URL a server printed on stdout when metricsExporterType=PROM. */
export async function metricsUrlOf(child: Child): Promise<string> {
  const line = await child.waitForLine(/^metrics http:\/\/\S+\/metrics$/, 10_000);
  return line.slice('metrics '.length);
}
