/**
 * Sessions that keep arriving and ending in an emulator, the same on every start.
 */
import { DAY_MS } from '../lambdas/core/shared/time';
import type { SsmEmulator } from './ssm-emulator';

const EPOCH_MS = 30 * DAY_MS;

/**
 * Feeds the emulator sessions that keep arriving and ending. Time is cut into fixed 30-day epochs
 * counted from 1970; each epoch's sessions come from the seed and the epoch number alone. So a
 * restart (at any later time) regenerates exactly the sessions the archive already holds, and
 * sessions archived as open are found again instead of looking vanished. The epoch after the
 * current one is generated ahead: its sessions appear in SSM as the real clock reaches them.
 */
export class GeneratedSessionFeed {
  private readonly generated = new Set<number>();

  constructor(
    private readonly emulator: SsmEmulator,
    private readonly sessionsPerEpoch: number,
    private readonly seed: number,
  ) {}

  /** Makes sure every epoch from 30 days before `nowMs` to the one after `nowMs` is generated. */
  fillUntil(nowMs: number): void {
    if (this.sessionsPerEpoch === 0) return;
    const first = Math.floor((nowMs - EPOCH_MS) / EPOCH_MS);
    const last = Math.floor(nowMs / EPOCH_MS) + 1;
    for (let epoch = first; epoch <= last; epoch++) {
      if (this.generated.has(epoch)) continue;
      this.emulator.generateSessions({
        count: this.sessionsPerEpoch,
        seed: epochSeed(this.seed, epoch),
        fromMs: epoch * EPOCH_MS,
        toMs: (epoch + 1) * EPOCH_MS,
      });
      this.generated.add(epoch);
    }
  }
}

function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed | 0, 0x01000193) ^ epoch) >>> 0;
}
