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

/**
 * Runs `round` for one seed (`base`, or SEED), or in a long run for fresh seeds until `longMs` has
 * passed (at most `longCount`); a failure names its seed and how to replay it. Returns the count.
 */
export async function runSeededRounds(
  base: number,
  long: { count: number; ms: number },
  round: (seed: number, index: number) => Promise<void>,
): Promise<number> {
  const seeds = testSeeds(
    isLongRun() ? long.count : 1,
    isLongRun() ? Date.now() % 1_000_000 : base,
  );
  const deadline = Date.now() + (isLongRun() ? long.ms : 0);
  let rounds = 0;
  for (const seed of seeds) {
    if (rounds > 0 && Date.now() > deadline) break;
    await round(seed, rounds).catch((error: unknown) => {
      throw new Error(
        `seed=${seed} (SEED=${seed} reruns its random choices; process timing differs): ${String(error)}`,
        {
          cause: error,
        },
      );
    });
    rounds++;
  }
  return rounds;
}
