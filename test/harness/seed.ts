/**
 * The seeds a randomized test runs: SEED=<n> replays one seed, otherwise `count` seeds starting at
 * a base that is fixed per test (so the default suite is reproducible) unless SEED_BASE is set.
 */
export function testSeeds(count: number, base: number): number[] {
  const one = process.env['SEED'];
  if (one !== undefined && one !== '') return [Number(one)];
  const start = process.env['SEED_BASE'] !== undefined ? Number(process.env['SEED_BASE']) : base;
  return Array.from({ length: count }, (_, i) => start + i);
}

/** True when the opt-in long runs were asked for (npm run test:fault -- --long). */
export function isLongRun(): boolean {
  return process.env['PETREL_LONG'] === '1';
}
