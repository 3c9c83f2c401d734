/**
 * The Alibaba soak: simulated days of sessions arriving (with bursts that overflow the 1,000-record
 * cap), reconnects and long sessions, sweeps every 15 minutes to 6 hours, some under faults, some
 * killed part-way, some out of time. Ground truth is the emulator: every session a listing showed
 * must be archived in the shape last shown; every session it dropped unshown must lie in a gap.
 */
import type { SourcePage, UnfilteredSessionSource } from '../../lambdas/core/sweep/ports';
import { SeededRandom } from '../../local/ssm-emulator/random';
import { diffAgainstShown, startAlibabaSweepRig } from './alibaba-sweep-rig';
import type { ResultOrder } from '../../local/emulators/alibaba';

export interface AlibabaSoakOptions {
  seed: number;
  days: number;
  /** Sessions per simulated day, on average. */
  perDay: number;
  /** Bursts of this many sessions in one hour, now and then (0: none). */
  burst?: number;
  order?: ResultOrder;
  onProgress?: (line: string) => void;
}

export interface AlibabaSoakReport {
  sessions: number;
  shown: number;
  sweeps: number;
  killedSweeps: number;
  shortBudgetSweeps: number;
  faultsInjected: number;
  gaps: number;
  /** Shown but not archived, or archived not as last shown, and not accounted for. */
  problems: string[];
  /**
   * Shown to a sweep that was killed before storing them, then dropped by the cap before the next
   * sweep: lost, but reported (inside a gap, or tracked as vanished on their open record).
   */
  shownThenDroppedReported: number;
  /** Never shown, outside every reported gap. */
  droppedOutsideGaps: number;
  droppedInGaps: number;
  sourceCalls: number;
  wallClockMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 9, 1);

export async function runAlibabaSoak(options: AlibabaSoakOptions): Promise<AlibabaSoakReport> {
  const started = Date.now();
  const random = new SeededRandom(options.seed);
  const rig = await startAlibabaSweepRig(T0, { order: options.order ?? 'newest', orderSeed: options.seed });
  const report = { sweeps: 0, killedSweeps: 0, shortBudgetSweeps: 0, sourceCalls: 0 };
  try {
    // What the first sweep finds: under the cap, so nothing dropped before the archive existed.
    rig.emulator.generateSessions({ count: Math.min(900, Math.round(options.perDay * 5)), seed: options.seed, fromMs: T0 - 5 * DAY, toMs: T0 });
    let batch = 0;
    let burstDone = false;
    while (rig.emulator.alibabaNow() < T0 + options.days * DAY) {
      const stepMs = Math.round(15 * 60_000 + random.next() * random.next() * 6 * HOUR);
      const now = rig.emulator.alibabaNow();
      // One burst past the cap, halfway through: the next sweep must report exactly what it lost.
      const burst = options.burst && !burstDone && now >= T0 + (options.days * DAY) / 2 ? options.burst : 0;
      if (burst > 0) burstDone = true;
      const count = Math.round((options.perDay * stepMs) / DAY) + burst;
      if (count > 0) rig.emulator.generateSessions({ count, seed: options.seed * 1000 + ++batch, fromMs: now, toMs: now + stepMs });
      rig.emulator.advance(stepMs);
      await oneSweep(rig, random, report);
      if (report.sweeps % 50 === 0) options.onProgress?.(`alibaba soak: ${report.sweeps} sweeps, ${((rig.emulator.alibabaNow() - T0) / DAY).toFixed(1)} days`);
    }
    rig.emulator.setFaults(undefined);
    report.sweeps++;
    report.sourceCalls += (await rig.sweep({ reconcileEveryMs: 1 })).sourceCalls;
    const state = await rig.store.loadSweepState(rig.source.scope);
    const gaps = state?.gaps ?? [];
    const dropped = rig.emulator.allSessions().filter((session) => session.creationMs <= rig.emulator.alibabaNow() && !rig.emulator.shown.summary(session.sessionId));
    const inGap = (ms: number): boolean => gaps.some((gap) => ms >= gap.from && ms < gap.to);
    const relevant = dropped;
    return {
      sessions: rig.emulator.allSessions().length,
      shown: rig.emulator.shown.summaries().size,
      ...report,
      faultsInjected: rig.emulator.stats.faultsInjected,
      gaps: gaps.length,
      ...(await classifyDiff(rig, inGap)),
      droppedOutsideGaps: relevant.filter((session) => !inGap(session.creationMs)).length,
      droppedInGaps: relevant.filter((session) => inGap(session.creationMs)).length,
      wallClockMs: Date.now() - started,
    };
  } finally {
    await rig.close();
  }
}

type Rig = Awaited<ReturnType<typeof startAlibabaSweepRig>>;

/** The differences from what was shown, less those the source dropped and the archive reported. */
async function classifyDiff(rig: Rig, inGap: (ms: number) => boolean): Promise<{ problems: string[]; shownThenDroppedReported: number }> {
  const retained = new Set(rig.emulator.retained(rig.source.scope.region).map((session) => session.sessionId));
  const records = new Map((await rig.archived()).map((record) => [record.sessionId, record as unknown as Record<string, unknown>]));
  const reported = new Set<string>();
  const problems = (await diffAgainstShown(rig)).filter((line) => {
    const sessionId = (line.startsWith('missing ') ? line.slice(8) : line).split(' ')[0] ?? '';
    const session = rig.emulator.allSessions().find((candidate) => candidate.sessionId === sessionId);
    const record = records.get(sessionId);
    const tracked = record !== undefined && (record.missingSince !== undefined || record.endedUnobservedAt !== undefined);
    const accounted = session !== undefined && !retained.has(sessionId) && (inGap(session.creationMs) || tracked);
    if (accounted) reported.add(sessionId);
    return !accounted;
  });
  return { problems, shownThenDroppedReported: reported.size };
}

async function oneSweep(rig: Rig, random: SeededRandom, report: { sweeps: number; killedSweeps: number; shortBudgetSweeps: number; sourceCalls: number }): Promise<void> {
  report.sweeps++;
  rig.emulator.setFaults(random.chance(0.3) ? { seed: report.sweeps, throttleRate: 0.1, errorRate: 0.08, dropRate: 0.03 } : undefined);
  if (random.chance(0.15)) {
    report.killedSweeps++;
    await rig.sweep({ source: killedAt(rig.source, 1 + Math.floor(random.next() * 3)) }).catch(() => undefined);
    return;
  }
  if (random.chance(0.1)) {
    report.shortBudgetSweeps++;
    let pages = Math.floor(random.next() * 3);
    report.sourceCalls += (await rig.sweep({ remainingTimeMs: () => (pages-- > 0 ? 60_000 : 0) })).sourceCalls;
    return;
  }
  report.sourceCalls += (await rig.sweep()).sourceCalls;
}

/** The same source, killed (it throws) when asked for page `killAt`. */
export function killedAt(source: UnfilteredSessionSource, killAt: number): UnfilteredSessionSource {
  return {
    scope: source.scope,
    historyRetentionMs: source.historyRetentionMs,
    recordCap: source.recordCap,
    sourceClockOffsetMs: () => source.sourceClockOffsetMs(),
    async *listPages(): AsyncIterable<SourcePage> {
      let page = 0;
      for await (const next of source.listPages()) {
        if (++page === killAt) throw new Error('sweeper killed');
        yield next;
      }
    },
  };
}
