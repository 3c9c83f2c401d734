/**
 * What the emulator actually showed: every DescribeTerminalSessions page it answered (when, which
 * sessions in which order, the token it gave) and, per session, the shape it last showed. Tests
 * take their ground truth from here, never from the code under test.
 */
import type { AlibabaWireSession } from '../../../lambdas/core/sources/alibaba/alibaba-session';

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

/** One listing: a first page (no token) and the pages that continued it, token by token. */
export interface ShownListing {
  startedAtMs: number;
  lastAtMs: number;
  pages: number;
  /** Whether it reached a page with no NextToken. */
  complete: boolean;
  /** In the order shown. */
  sessionIds: string[];
}

export interface AlibabaShownRecorder {
  /**
   * Every listing, pages joined by the tokens that chain them (a page continuing a token no
   * recorded page gave starts a listing of its own). Empty when the log is off.
   */
  listings(): readonly ShownListing[];
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
  private chains: ShownListing[] = [];
  /** The listing each handed-out token continues. */
  private readonly byToken = new Map<string, ShownListing>();
  private logging = true;
  private readonly bySession = new Map<string, ShownSessionSummary>();
  pageCount = 0;

  record(page: ShownPage): void {
    this.pageCount += 1;
    if (this.logging) {
      this.entries.push(page);
      this.chain(page);
    }
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

  private chain(page: ShownPage): void {
    const ids = page.sessions.map((session) => session.SessionId ?? '');
    let listing = page.startToken === undefined ? undefined : this.byToken.get(page.startToken);
    if (listing === undefined) {
      listing = { startedAtMs: page.atMs, lastAtMs: page.atMs, pages: 0, complete: false, sessionIds: [] };
      this.chains.push(listing);
    }
    listing.pages += 1;
    listing.lastAtMs = page.atMs;
    listing.sessionIds.push(...ids);
    if (page.nextToken === '') listing.complete = true;
    else this.byToken.set(page.nextToken, listing);
  }

  listings(): readonly ShownListing[] {
    return this.chains;
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
    if (!on) {
      this.entries = [];
      this.chains = [];
      this.byToken.clear();
    }
  }

  clear(): void {
    this.entries = [];
    this.chains = [];
    this.byToken.clear();
    this.bySession.clear();
    this.pageCount = 0;
  }
}
