/**
 * The soak's ground truth, taken from what the emulator itself showed, never from the sweep's
 * rules: every session visible in History at the start of at least one sweep must be archived
 * with the final state it was shown with; every session visible in Active at a sweep's start
 * must be archived. And a session the archive lacks must not lie inside a confirmed range,
 * unless it lies inside a reported gap.
 */
import type { SessionRecord } from '../../lambdas/core/session/session';
import type { SweepState } from '../../lambdas/core/sweep/sweep-state';
import type { TimeRange } from '../../lambdas/core/shared/time';
import { toIso } from '../../lambdas/core/shared/time';
import type { SsmEmulator, SsmSessionShape } from '../../local/ssm-emulator';

export interface TruthVerdict {
  /** Sessions the truth demands. */
  demanded: number;
  inHistory: number;
  lost: number;
  /** Lost although some DescribeSessions page showed them to a sweep. */
  lostShown: number;
  wrongFinalState: number;
  /** Lost sessions inside a confirmed range and outside every reported gap. */
  overConfirmed: number;
  /** Lost sessions inside the (unconfirmed) coverage and outside every reported gap. */
  lostInCoverage: number;
  /** Whether the checkpoint has confirmed ranges at all (the sweep may predate them). */
  confirmedKnown: boolean;
  problems: string[];
}

const MAX_PROBLEM_LINES = 200;

export class SweepStartTruth {
  private readonly history = new Map<string, SsmSessionShape>();
  private readonly active = new Set<string>();

  constructor(private readonly emulator: SsmEmulator) {}

  /** Call at the start of every sweep, before its first request: what SSM would list right now. */
  recordSweepStart(): void {
    const at = this.emulator.ssmNow();
    for (const shape of this.emulator.visibleAt('History', at)) this.history.set(shape.SessionId, shape);
    for (const shape of this.emulator.visibleAt('Active', at)) this.active.add(shape.SessionId);
  }

  get historyCount(): number {
    return this.history.size;
  }

  judge(archived: readonly SessionRecord[], state: SweepState | undefined): TruthVerdict {
    const records = new Map(archived.map((record) => [record.sessionId, record]));
    const starts = new Map(this.emulator.allSessions().map((session) => [session.sessionId, session.startMs]));
    const confirmed = confirmedRanges(state);
    const gaps = state?.gaps ?? [];
    const verdict: TruthVerdict = {
      demanded: 0, inHistory: this.history.size, lost: 0, lostShown: 0, wrongFinalState: 0, overConfirmed: 0, lostInCoverage: 0,
      confirmedKnown: confirmed !== undefined, problems: [],
    };
    const problem = (line: string): void => {
      if (verdict.problems.length < MAX_PROBLEM_LINES) verdict.problems.push(line);
    };
    for (const sessionId of new Set([...this.history.keys(), ...this.active])) {
      verdict.demanded++;
      const record = records.get(sessionId);
      const startMs = starts.get(sessionId) ?? Number.NaN;
      if (!record) {
        verdict.lost++;
        const shown = this.emulator.shown.summary('History', sessionId) ?? this.emulator.shown.summary('Active', sessionId);
        if (shown) verdict.lostShown++;
        const inGap = inside(startMs, gaps);
        if (!inGap && inside(startMs, confirmed ?? [])) verdict.overConfirmed++;
        if (!inGap && inside(startMs, state?.coverage ?? [])) verdict.lostInCoverage++;
        problem(`lost ${sessionId} (start ${toIso(startMs)}${this.history.has(sessionId) ? ', was in History' : ', was in Active'}${shown ? `, shown to a sweep ${shown.times}x` : ', never listed to a sweep'}${inGap ? ', inside a reported gap' : ''})`);
        continue;
      }
      const atSweepStart = this.history.get(sessionId);
      if (!atSweepStart) continue;
      // The last History shape at a sweep start, or a later one a sweep was actually shown.
      const acceptable = [atSweepStart, this.emulator.shown.summary('History', sessionId)?.last].filter((shape) => shape !== undefined);
      if (!acceptable.some((shape) => sameFinalState(record, shape))) {
        verdict.wrongFinalState++;
        problem(`${sessionId}: archived ${record.status} ${record.endDate ?? '(no end)'}, SSM showed ${atSweepStart.Status} ${endOf(atSweepStart) ?? '(no end)'}${record.endedUnobservedAt ? ' (flagged endedUnobserved)' : ''}`);
      }
    }
    return verdict;
  }
}

/** The checkpoint's confirmed ranges, read defensively: a sweep from before they existed has none. */
export function confirmedRanges(state: SweepState | undefined): TimeRange[] | undefined {
  if (!state || !('confirmed' in state)) return undefined;
  const confirmed = (state as { confirmed?: unknown }).confirmed;
  return Array.isArray(confirmed) ? (confirmed as TimeRange[]) : undefined;
}

function inside(ms: number, ranges: readonly TimeRange[]): boolean {
  return ranges.some((range) => ms >= range.from && ms < range.to);
}

function endOf(shape: SsmSessionShape): string | undefined {
  return shape.EndDate === undefined ? undefined : toIso(Math.round(shape.EndDate * 1000));
}

function sameFinalState(record: SessionRecord, shape: SsmSessionShape): boolean {
  return record.status === shape.Status && record.endDate === endOf(shape) && record.startDate === toIso(Math.round(shape.StartDate * 1000));
}
