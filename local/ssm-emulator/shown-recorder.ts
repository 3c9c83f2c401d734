/**
 * What the emulator actually showed: every session it returned in a DescribeSessions page,
 * with the State asked for, the exact shape returned and when (SSM's clock). Tests take their
 * ground truth from here, never from the code under test.
 */
import type { SessionState, SsmSessionShape } from './session-model';

export interface ShownEntry {
  state: SessionState;
  /** SSM-clock time of the answer, epoch ms. */
  atMs: number;
  session: SsmSessionShape;
}

/** Per State and session: the latest shape shown, and when it was first and last shown. */
export interface ShownSummary {
  state: SessionState;
  firstAtMs: number;
  lastAtMs: number;
  times: number;
  last: SsmSessionShape;
}

export interface ShownRecorder {
  /** Every entry in order; empty when the log is off (`keepLog(false)`), the summaries stay. */
  log(): readonly ShownEntry[];
  /** The summary for one session in one State, if it was ever shown there. */
  summary(state: SessionState, sessionId: string): ShownSummary | undefined;
  summaries(state: SessionState): ReadonlyMap<string, ShownSummary>;
  /** Long soaks keep only the summaries, to bound memory. */
  keepLog(on: boolean): void;
  clear(): void;
}

export class ShownLog implements ShownRecorder {
  private entries: ShownEntry[] = [];
  private logging = true;
  private readonly byState: Record<SessionState, Map<string, ShownSummary>> = { Active: new Map(), History: new Map() };

  record(state: SessionState, atMs: number, sessions: readonly SsmSessionShape[]): void {
    const summaries = this.byState[state];
    for (const session of sessions) {
      if (this.logging) this.entries.push({ state, atMs, session });
      const known = summaries.get(session.SessionId);
      if (known) {
        known.lastAtMs = atMs;
        known.times += 1;
        known.last = session;
      } else {
        summaries.set(session.SessionId, { state, firstAtMs: atMs, lastAtMs: atMs, times: 1, last: session });
      }
    }
  }

  log(): readonly ShownEntry[] {
    return this.entries;
  }

  summary(state: SessionState, sessionId: string): ShownSummary | undefined {
    return this.byState[state].get(sessionId);
  }

  summaries(state: SessionState): ReadonlyMap<string, ShownSummary> {
    return this.byState[state];
  }

  keepLog(on: boolean): void {
    this.logging = on;
    if (!on) this.entries = [];
  }

  clear(): void {
    this.entries = [];
    this.byState.Active.clear();
    this.byState.History.clear();
  }
}
