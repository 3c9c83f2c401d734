/**
 * SSM Session Manager as a session source: DescribeSessions through the SDK paginator, which
 * follows NextToken to the end (pages may be short or empty and still carry a token).
 */
import { InvalidNextToken, paginateDescribeSessions, type Session, type SessionFilter, type SSMClient } from '@aws-sdk/client-ssm';
import { ListingTokenRejectedError, systemClock, type Clock, type HistoryQuery, type SessionSource, type SourcePage } from '../../core/sweep/ports';
import type { ObservedSession, SourceScope } from '../../core/session/session';
import { DAY_MS, toIso } from '../../core/shared/time';
import { sourceClockOf, type SourceClock } from './source-clock';

export interface SsmSessionSourceOptions {
  client: SSMClient;
  accountId: string;
  region: string;
  /** How long SSM keeps ended sessions; 30 days as documented. */
  historyRetentionDays?: number;
  /** The clock the sweep plans with; SSM's offset from it is measured per response. Default: the system clock. */
  clock?: Clock;
}

/** The largest page DescribeSessions allows. */
const PAGE_SIZE = 200;

export class MalformedSessionError extends Error {
  override readonly name = 'MalformedSessionError';
}

export class SsmSessionSource implements SessionSource {
  readonly scope: SourceScope;
  readonly historyRetentionMs: number;
  private readonly client: SSMClient;
  private readonly clock: SourceClock;

  constructor(options: SsmSessionSourceOptions) {
    this.client = options.client;
    this.clock = sourceClockOf(options.client, options.clock ?? systemClock);
    this.scope = { source: 'ssm', accountId: options.accountId, region: options.region };
    this.historyRetentionMs = (options.historyRetentionDays ?? 30) * DAY_MS;
  }

  listActive(): AsyncIterable<ObservedSession[]> {
    return this.sessionsOf(this.list('Active', []));
  }

  listHistory(query: HistoryQuery): AsyncIterable<ObservedSession[]> {
    return this.sessionsOf(this.listHistoryPages(query));
  }

  listHistoryPages(query: HistoryQuery, startToken?: string): AsyncIterable<SourcePage> {
    return this.list('History', historyFilters(query), startToken);
  }

  sourceClockOffsetMs(): number | undefined {
    return this.clock.offsetMs();
  }

  private async *list(state: 'Active' | 'History', filters: SessionFilter[], startToken?: string): AsyncIterable<SourcePage> {
    const pages = paginateDescribeSessions(
      { client: this.client, pageSize: PAGE_SIZE, ...(startToken === undefined ? {} : { startingToken: startToken }) },
      { State: state, MaxResults: PAGE_SIZE, Filters: filters.length > 0 ? filters : undefined },
    );
    try {
      for await (const page of pages) yield { sessions: (page.Sessions ?? []).map(toObservedSession), ...(page.NextToken ? { nextToken: page.NextToken } : {}) };
    } catch (error: unknown) {
      // Only a token we handed in can be stale; one the paginator got a moment ago is SSM's fault.
      if (error instanceof InvalidNextToken && startToken !== undefined) throw new ListingTokenRejectedError(`SSM refused the kept NextToken: ${error.message}`);
      throw error;
    }
  }

  private async *sessionsOf(pages: AsyncIterable<SourcePage>): AsyncIterable<ObservedSession[]> {
    for await (const page of pages) yield page.sessions;
  }
}

function historyFilters(query: HistoryQuery): SessionFilter[] {
  const filters: SessionFilter[] = [];
  // SSM takes whole seconds; flooring keeps InvokedAfter at or below the watermark, and
  // adjacent slices share the same floored boundary, so nothing falls between them.
  if (query.invokedAfter !== undefined) filters.push({ key: 'InvokedAfter', value: toSsmDate(query.invokedAfter) });
  if (query.invokedBefore !== undefined) filters.push({ key: 'InvokedBefore', value: toSsmDate(query.invokedBefore) });
  if (query.sessionId !== undefined) filters.push({ key: 'SessionId', value: query.sessionId });
  return filters;
}

/** `2026-11-22T10:15:30Z`: the date form the DescribeSessions filters document. */
export function toSsmDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function toObservedSession(session: Session): ObservedSession {
  if (!session.SessionId || !session.StartDate) {
    throw new MalformedSessionError(`DescribeSessions returned a session without ${session.SessionId ? 'StartDate' : 'SessionId'}: ${JSON.stringify(session)}`);
  }
  const observed: ObservedSession = {
    sessionId: session.SessionId,
    target: session.Target ?? '(unknown)',
    status: session.Status ?? 'Unknown',
    startDate: toIso(session.StartDate.getTime()),
  };
  if (session.EndDate) observed.endDate = toIso(session.EndDate.getTime());
  if (session.DocumentName) observed.documentName = session.DocumentName;
  if (session.Owner) observed.owner = session.Owner;
  if (session.Reason) observed.reason = session.Reason;
  if (session.Details) observed.details = session.Details;
  if (session.OutputUrl && (session.OutputUrl.S3OutputUrl || session.OutputUrl.CloudWatchOutputUrl)) {
    observed.outputUrl = {};
    if (session.OutputUrl.S3OutputUrl) observed.outputUrl.s3OutputUrl = session.OutputUrl.S3OutputUrl;
    if (session.OutputUrl.CloudWatchOutputUrl) observed.outputUrl.cloudWatchOutputUrl = session.OutputUrl.CloudWatchOutputUrl;
  }
  if (session.MaxSessionDuration) observed.maxSessionDuration = session.MaxSessionDuration;
  if (session.AccessType) observed.accessType = session.AccessType;
  return observed;
}
