/**
 * The soak: weeks of simulated time with sessions arriving all the time (some open for days),
 * sweeps at random intervals between 15 minutes and 6 hours, random SSM faults, and sweeps
 * killed mid-way. At the end the archive must equal the ground truth: every session that was
 * ever in History, every field. A short run is part of `npm test`; `npm run soak` runs a long one.
 */
import { sweep } from '../../lambdas/core/sweep';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lambdas/core/time';
import { generateSessions, SeededRandom } from '../../local/ssm-emulator';
import { dyingAfter, KilledError, storeDyingAt } from './killers';
import { diffArchive, groundTruth, startSweepRig } from './sweep-harness';

export interface SoakOptions {
  seed: number;
  days: number;
  sessions: number;
  /** Share of sweeps run with SSM faults switched on. */
  faultySweepShare?: number;
  /** Share of sweeps killed part-way. */
  killedSweepShare?: number;
  onProgress?: (line: string) => void;
}

export interface SoakReport {
  simulatedDays: number;
  sessionsGenerated: number;
  sessionsEverInHistory: number;
  sweeps: number;
  killedSweeps: number;
  failedSweeps: number;
  faultySweeps: number;
  faultsInjected: number;
  longestOpenHours: number;
  problems: string[];
  wallClockMs: number;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const began = Date.now();
  const random = new SeededRandom(options.seed);
  const t0 = Date.UTC(2026, 0, 1);
  const end = t0 + options.days * DAY_MS;
  const rig = await startSweepRig({ startMs: t0 });
  try {
    // Arrivals from a month before the first sweep (a backfill) to the end of the run.
    const sessions = generateSessions({ count: options.sessions, seed: options.seed, fromMs: t0 - 29 * DAY_MS, toMs: end, openFraction: 0.02 });
    rig.emulator.addSessions(sessions);
    const longestOpenHours = Math.max(...sessions.map((s) => ((s.endMs ?? end) - s.startMs) / HOUR_MS));

    const report = { sweeps: 0, killedSweeps: 0, failedSweeps: 0, faultySweeps: 0 };
    let now = t0;
    while (now < end) {
      rig.clock.set(now);
      const faulty = random.next() < (options.faultySweepShare ?? 0.3);
      rig.emulator.setFaults(
        faulty ? { seed: Math.floor(random.next() * 1e9), throttleRate: 0.15, errorRate: 0.1, dropRate: 0.03, operations: ['DescribeSessions'] } : undefined,
      );
      report.faultySweeps += faulty ? 1 : 0;
      // A killed sweep dies either between pages (the source) or half-way through a write (the store).
      const kill = random.next() < (options.killedSweepShare ?? 0.15);
      const killAt = Math.floor(random.next() * 4);
      const killTheStore = kill && random.next() < 0.5;
      const source = kill && !killTheStore ? dyingAfter(rig.source(), killAt) : rig.source();
      const store = killTheStore ? storeDyingAt(rig.store, killAt) : rig.store;
      report.sweeps++;
      try {
        await sweep({ source, store, clock: rig.clock });
      } catch (error: unknown) {
        if (error instanceof KilledError) report.killedSweeps++;
        else report.failedSweeps++; // retries exhausted under faults: the next sweep picks it up
      }
      if (report.sweeps % 50 === 0) {
        options.onProgress?.(`day ${((now - t0) / DAY_MS).toFixed(1)}: ${report.sweeps} sweeps, ${report.killedSweeps} killed, ${report.failedSweeps} failed`);
      }
      now += 15 * MINUTE_MS + Math.floor(random.next() * (6 * HOUR_MS - 15 * MINUTE_MS));
    }

    // One clean sweep at the end, as the next scheduled run would be.
    rig.emulator.setFaults(undefined);
    rig.clock.set(end);
    await sweep({ source: rig.source(), store: rig.store, clock: rig.clock });
    return {
      simulatedDays: options.days,
      sessionsGenerated: sessions.length,
      sessionsEverInHistory: groundTruth(rig.emulator).length,
      ...report,
      faultsInjected: rig.emulator.stats.faultsInjected,
      longestOpenHours: Math.round(longestOpenHours),
      problems: await diffArchive(rig),
      wallClockMs: Date.now() - began,
    };
  } finally {
    await rig.close();
  }
}
