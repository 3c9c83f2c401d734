/**
 * What the emulator actually showed: every DescribeTerminalSessions page it answered (when, which
 * sessions in which order, the token it gave) and, per session, the shape it last showed. Tests
 * take their ground truth from here, never from the code under test.
 */
import type { AlibabaWireSession } from '../../../lambdas/core/sources/alibaba-session';

export interface ShownPage {
  /** Emulator-clock time of the answer, epoch ms. */
  atMs: number;
  requestId: string;
  regionId: string;
  /** The token the request continued from, if any. */
  startToken?: string;
  /** The token the page handed out ("" on the last page). */
  nextToken: string;
  sessions: AlibabaWireSession[];
}

export interface ShownSessionSummary {
  regionId: string;
  firstAtMs: number;
  lastAtMs: number;
  times: number;
  last: AlibabaWireSession;
}

export interface AlibabaShownRecorder {
  /** Every page in order; empty when the log is off (`keepLog(false)`), the summaries stay. */
  pages(): readonly ShownPage[];
  summary(sessionId: string): ShownSessionSummary | undefined;
  summaries(): ReadonlyMap<string, ShownSessionSummary>;
  /** Pages answered since the recorder started or was cleared, logged or not. */
  readonly pageCount: number;
  keepLog(on: boolean): void;
  clear(): void;
}

export class ShownPages implements AlibabaShownRecorder {
  private entries: ShownPage[] = [];
  private logging = true;
  private readonly bySession = new Map<string, ShownSessionSummary>();
  pageCount = 0;

  record(page: ShownPage): void {
    this.pageCount += 1;
    if (this.logging) this.entries.push(page);
    for (const session of page.sessions) {
      const id = session.SessionId ?? '';
      const known = this.bySession.get(id);
      if (known) {
        known.lastAtMs = page.atMs;
        known.times += 1;
        known.last = session;
      } else {
        this.bySession.set(id, { regionId: page.regionId, firstAtMs: page.atMs, lastAtMs: page.atMs, times: 1, last: session });
      }
    }
  }

  pages(): readonly ShownPage[] {
    return this.entries;
  }

  summary(sessionId: string): ShownSessionSummary | undefined {
    return this.bySession.get(sessionId);
  }

  summaries(): ReadonlyMap<string, ShownSessionSummary> {
    return this.bySession;
  }

  keepLog(on: boolean): void {
    this.logging = on;
    if (!on) this.entries = [];
  }

  clear(): void {
    this.entries = [];
    this.bySession.clear();
    this.pageCount = 0;
  }
}
