/**
 * SSM Session Manager as a session source: DescribeSessions through the SDK paginator, which
 * follows NextToken to the end (pages may be short or empty and still carry a token).
 */
import { paginateDescribeSessions, type Session, type SessionFilter, type SSMClient } from '@aws-sdk/client-ssm';
import type { HistoryQuery, SessionSource } from '../core/ports';
import type { ObservedSession, SourceScope } from '../core/session';
import { DAY_MS, toIso } from '../core/time';

export interface SsmSessionSourceOptions {
  client: SSMClient;
  accountId: string;
  region: string;
  /** How long SSM keeps ended sessions; 30 days as documented. */
  historyRetentionDays?: number;
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

  constructor(options: SsmSessionSourceOptions) {
    this.client = options.client;
    this.scope = { source: 'ssm', accountId: options.accountId, region: options.region };
    this.historyRetentionMs = (options.historyRetentionDays ?? 30) * DAY_MS;
  }

  listActive(): AsyncIterable<ObservedSession[]> {
    return this.list('Active', []);
  }

  listHistory(query: HistoryQuery): AsyncIterable<ObservedSession[]> {
    const filters: SessionFilter[] = [];
    // SSM takes whole seconds; flooring keeps InvokedAfter at or below the watermark, and
    // adjacent slices share the same floored boundary, so nothing falls between them.
    if (query.invokedAfter !== undefined) filters.push({ key: 'InvokedAfter', value: toSsmDate(query.invokedAfter) });
    if (query.invokedBefore !== undefined) filters.push({ key: 'InvokedBefore', value: toSsmDate(query.invokedBefore) });
    return this.list('History', filters);
  }

  async findEnded(sessionId: string): Promise<ObservedSession | undefined> {
    for await (const page of this.list('History', [{ key: 'SessionId', value: sessionId }])) {
      const match = page.find((session) => session.sessionId === sessionId);
      if (match) return match;
    }
    return undefined;
  }

  private async *list(state: 'Active' | 'History', filters: SessionFilter[]): AsyncIterable<ObservedSession[]> {
    const pages = paginateDescribeSessions(
      { client: this.client, pageSize: PAGE_SIZE },
      { State: state, MaxResults: PAGE_SIZE, Filters: filters.length > 0 ? filters : undefined },
    );
    for await (const page of pages) yield (page.Sessions ?? []).map(toObservedSession);
  }
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
