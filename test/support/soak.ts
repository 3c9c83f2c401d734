/**
 * The soak: weeks of simulated time with sessions arriving all the time (some open for days,
 * some longer than SSM's window), sweeps at random intervals between 15 minutes and 6 hours,
 * random SSM faults, sweeps killed mid-way or out of time, SSM time passing while a sweep runs,
 * and the sweeper's clock off from SSM's. The emulator's guesses about SSM are set per run, so a
 * matrix of runs tries them all (soak-matrix.ts). Ground truth is what the emulator showed at
 * each sweep's start (soak-truth.ts). A short run is part of `npm test`; `npm run soak` runs long ones.
 */
import type { Clock } from '../../lambdas/core/sweep/ports';
import { sweep } from '../../lambdas/core/sweep/sweep';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lambdas/core/shared/time';
import { generateSessions, SeededRandom, type EmulatedSession, type EmulatorGuesses } from '../../local/ssm-emulator';
import { dyingAfter, KilledError, storeDyingAt } from './killers';
import { SweepStartTruth, type TruthVerdict } from './soak-truth';
import { startSweepRig, type SweepRig } from './sweep-harness';

export interface SoakOptions {
  seed: number;
  days: number;
  sessions: number;
  /** Share of sweeps run with SSM faults switched on. Default 0.3. */
  faultySweepShare?: number;
  /** Share of sweeps killed part-way. Default 0.15. */
  killedSweepShare?: number;
  /** Share of sweeps given 45-120 s instead of Lambda's 15 minutes. Default 0.1. */
  shortBudgetShare?: number;
  /** The emulator's guesses about SSM for the whole run; its defaults for the rest. */
  guesses?: Partial<EmulatorGuesses>;
  /** The sweeper's clock runs this far from the host's (SSM's is off by `guesses.clockOffsetMs`). Default 0. */
  sweeperClockOffsetMs?: number;
  /** SSM time each request takes while a sweep runs, ms, uniform in [min, max). Default [500, 10000). */
  requestTickMs?: readonly [number, number];
  /** Share of sessions that stay open longer than SSM's 30-day window (some never end). Default 0.005. */
  marathonShare?: number;
  onProgress?: (line: string) => void;
}

export interface SoakReport extends TruthVerdict {
  simulatedDays: number;
  sessionsGenerated: number;
  sweeps: number;
  killedSweeps: number;
  failedSweeps: number;
  faultySweeps: number;
  shortBudgetSweeps: number;
  faultsInjected: number;
  longestOpenHours: number;
  /** Sessions open longer than 30 days at some point of the run. */
  openOver30Days: number;
  /** HTTP requests SSM answered (pages, lookups, retries, faults). */
  ssmCalls: number;
  ssmCallsPerSweep: number;
  unstablePages: { skipped: number; repeated: number };
  wallClockMs: number;
}

const LAMBDA_BUDGET_MS = 15 * MINUTE_MS;
const MIN_INTERVAL_MS = 15 * MINUTE_MS;
const MAX_INTERVAL_MS = 6 * HOUR_MS;

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const began = Date.now();
  const random = new SeededRandom(options.seed);
  const t0 = Date.UTC(2026, 0, 1);
  const end = t0 + options.days * DAY_MS;
  const rig = await startSweepRig({ startMs: t0, emulator: { ...options.guesses, unstablePageSeed: options.seed } });
  try {
    // The host clock drives everything; SSM's runs `clockOffsetMs` from it, the sweeper's `sweeperClockOffsetMs`.
    const ssmOffset = rig.emulator.guesses.clockOffsetMs;
    const sweeperClock: Clock = { now: () => rig.clock.now() + (options.sweeperClockOffsetMs ?? 0) };
    rig.emulator.shown.keepLog(false);
    const ticking = tickEachRequest(rig, new SeededRandom(options.seed + 1), options.requestTickMs ?? [500, 10_000]);

    // Arrivals from a month before the first sweep (a backfill) to the end of the run, in SSM's time.
    const sessions = withMarathons(
      generateSessions({ count: options.sessions, seed: options.seed, fromMs: t0 + ssmOffset - 29 * DAY_MS, toMs: end + ssmOffset, openFraction: 0.02 }),
      new SeededRandom(options.seed + 2),
      options.marathonShare ?? 0.005,
    );
    rig.emulator.addSessions(sessions);
    const durations = sessions.map((s) => (s.endMs ?? end + ssmOffset) - s.startMs);

    const truth = new SweepStartTruth(rig.emulator);
    const report: SweepCounts = { sweeps: 0, killedSweeps: 0, failedSweeps: 0, faultySweeps: 0, shortBudgetSweeps: 0 };
    let now = t0;
    while (now < end) {
      rig.clock.set(now);
      truth.recordSweepStart();
      await oneSweep(rig, sweeperClock, random, options, report, ticking);
      if (report.sweeps % 50 === 0) {
        options.onProgress?.(`day ${((now - t0) / DAY_MS).toFixed(1)}: ${report.sweeps} sweeps, ${report.killedSweeps} killed, ${report.failedSweeps} failed`);
      }
      // The next run is scheduled 15 minutes to 6 hours later, and never before this one finished.
      now = Math.max(now + MIN_INTERVAL_MS + Math.floor(random.next() * (MAX_INTERVAL_MS - MIN_INTERVAL_MS)), rig.clock.now() + 1000);
    }

    // One clean sweep at the end, as the next scheduled run would be.
    rig.emulator.setFaults(undefined);
    rig.clock.set(Math.max(end, rig.clock.now()));
    truth.recordSweepStart();
    report.sweeps++;
    await sweep({ source: rig.source(), store: rig.store, clock: sweeperClock });

    const verdict = truth.judge(await rig.archived(), await rig.store.loadSweepState(rig.source().scope));
    const ssmCalls = rig.emulator.stats.requests;
    return {
      simulatedDays: options.days,
      sessionsGenerated: sessions.length,
      ...report,
      faultsInjected: rig.emulator.stats.faultsInjected,
      longestOpenHours: Math.round(Math.max(...durations) / HOUR_MS),
      openOver30Days: durations.filter((ms) => ms > 30 * DAY_MS).length,
      ssmCalls,
      ssmCallsPerSweep: Math.round((ssmCalls / report.sweeps) * 10) / 10,
      unstablePages: { ...rig.emulator.stats.unstablePages },
      ...verdict,
      wallClockMs: Date.now() - began,
    };
  } finally {
    await rig.close();
  }
}

interface SweepCounts {
  sweeps: number;
  killedSweeps: number;
  failedSweeps: number;
  faultySweeps: number;
  shortBudgetSweeps: number;
}

/** One scheduled sweep: maybe under faults, maybe killed part-way, maybe with little time. */
async function oneSweep(rig: SweepRig, clock: Clock, random: SeededRandom, options: SoakOptions, report: SweepCounts, ticking: { on: boolean }): Promise<void> {
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
  const short = random.next() < (options.shortBudgetShare ?? 0.1);
  const deadline = rig.clock.now() + (short ? 45_000 + Math.floor(random.next() * 75_000) : LAMBDA_BUDGET_MS);
  report.shortBudgetSweeps += short ? 1 : 0;
  report.sweeps++;
  ticking.on = true;
  try {
    await sweep({ source, store, clock }, { remainingTimeMs: () => deadline - rig.clock.now() });
  } catch (error: unknown) {
    if (error instanceof KilledError) report.killedSweeps++;
    else report.failedSweeps++; // retries exhausted under faults: the next sweep picks it up
  } finally {
    ticking.on = false;
  }
}

/** Every SSM request takes some SSM time while `on`: sessions start and end while a sweep pages. */
function tickEachRequest(rig: SweepRig, random: SeededRandom, [minMs, maxMs]: readonly [number, number]): { on: boolean } {
  const ticking = { on: false };
  rig.ssm.middlewareStack.add(
    (next) => async (args) => {
      if (ticking.on) rig.clock.advance(random.int(minMs, maxMs));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'soakTick' },
  );
  return ticking;
}

/**
 * Makes some sessions outlast SSM's window (30-45 days, or never ending), and gives some ended
 * ones a Terminating phase, so where Terminating is listed matters.
 */
function withMarathons(sessions: EmulatedSession[], random: SeededRandom, share: number): EmulatedSession[] {
  return sessions.map((session) => {
    const copy = { ...session };
    if (random.next() < share) {
      copy.endMs = random.next() < 0.3 ? null : copy.startMs + 31 * DAY_MS + Math.floor(random.next() * 14 * DAY_MS);
      delete copy.terminatingMs;
    } else if (copy.endMs !== null && random.next() < 0.05) {
      copy.terminatingMs = Math.min(copy.endMs - copy.startMs, 30_000 + Math.floor(random.next() * 10 * MINUTE_MS));
    }
    return copy;
  });
}
