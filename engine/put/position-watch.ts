// A loop that calls `onChange` whenever a shared position moves (and at least every `sliceMs`, so
// deadlines are checked), until `isRunning` turns false. It waits with Atomics.waitAsync only: the
// owner keeps a ref'd handle while it needs the process to stay alive.

import type { PositionSlot, StorePositions } from '../store-positions.js';

export async function watchPosition(
  positions: StorePositions,
  slot: PositionSlot,
  sliceMs: number,
  isRunning: () => boolean,
  onChange: () => void,
): Promise<void> {
  while (isRunning()) {
    onChange();
    await positions.waitChangeAsync(slot, positions.get(slot), sliceMs);
  }
}
