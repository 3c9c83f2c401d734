/**
 * `GET /sessions` in the core: resolve the range (or take it from the token), plan, collect one
 * bounded page, and sign the cursor of the next one.
 */
import type { Clock } from '../sweep/ports';
import type { SessionRecord } from '../session/session';
import { collectPage, DEFAULT_WORK_BUDGET, type PageCursor, type WorkBudget } from './collect-page';
import { InvalidNextTokenError } from './errors';
import type { SessionQuery, SortOrder } from './parameters';
import { DEFAULT_FROM_MS, DEFAULT_TO_AHEAD_MS, planQuery, resolveRange, type QueryPlan, type ResolvedRange, type TimeWalkOptions } from './plan';
import { issuePageToken, readPageToken, type PageTokenContents, type PageTokenKeys } from './page-token';
import type { SessionIndexReader, TimeIndexStateReader } from './ports';
import { bucketKindOf, bucketOf, type BucketKind } from './time-buckets';

export interface FindSessionsDeps {
  reader: SessionIndexReader;
  /** Says whether to walk days or months, and within which bounds; without it: months, bounded by the clock. */
  timeIndex?: TimeIndexStateReader;
  tokenKeys: PageTokenKeys;
  clock: Clock;
  budget?: WorkBudget;
}

export interface SessionsPage {
  sessions: SessionRecord[];
  nextToken?: string;
  /** Index reads and items evaluated for this page: logged and published as metrics. */
  work: { reads: number; evaluated: number };
}

export async function findSessions(query: SessionQuery, deps: FindSessionsDeps): Promise<SessionsPage> {
  const usesTimeIndex = query.target === undefined && query.owner === undefined;
  const time = usesTimeIndex ? await timeWalkOptions(deps.timeIndex, deps.clock.now()) : { buckets: 'month' as const };
  let plan: QueryPlan;
  let start: PageCursor | undefined;
  if (query.nextToken !== undefined) {
    const contents = readPageToken(query.nextToken, query, deps.tokenKeys, deps.clock.now());
    plan = planQuery(query, tokenRange(contents, query), time);
    const buckets = plan.index === 'time' ? time.buckets : undefined;
    start = resumeCursor({ buckets, partitions: plan.partitions, keyRange: plan.keyRange, range: plan.range, order: plan.order }, contents);
  } else {
    plan = planQuery(query, resolveRange(query, deps.clock.now()), time);
  }
  const page = await collectPage(plan, query.limit, start, deps.reader, deps.budget ?? DEFAULT_WORK_BUDGET);
  const result: SessionsPage = { sessions: page.sessions, work: page.work };
  if (page.next) {
    const contents: PageTokenContents = { range: plan.range };
    // The target and owner indexes have one partition, which the query itself names.
    if (plan.index === 'time') contents.partition = page.next.partition;
    if (page.next.after) contents.after = page.next.after;
    result.nextToken = issuePageToken(query, contents, deps.tokenKeys, deps.clock.now());
  }
  return result;
}

/**
 * Days once the archive has them, else months; bounded by the archive's earliest and latest start
 * when it vouches for them, else by what can exist at all: nothing Session Manager reported started
 * before it launched, or later than the default `to` (a day after now, room for clock skew).
 */
export async function timeWalkOptions(reader: TimeIndexStateReader | undefined, nowMs: number): Promise<TimeWalkOptions> {
  const state = reader ? await reader.readTimeIndexState() : { dayIndex: false };
  const buckets: BucketKind = state.dayIndex ? 'day' : 'month';
  if (state.bounds !== undefined) return { buckets, bounds: state.bounds };
  return { buckets, bounds: { earliest: DEFAULT_FROM_MS, latest: nowMs + DEFAULT_TO_AHEAD_MS } };
}

/** The token's range, which must be the query's own where the query names `from` or `to`. */
export function tokenRange(contents: PageTokenContents, query: { from?: number; to?: number }): ResolvedRange {
  const { range } = contents;
  if ((query.from !== undefined && range.from !== query.from) || (query.to !== undefined && range.to !== query.to)) {
    throw new InvalidNextTokenError('nextToken does not fit this query: start again without it');
  }
  return range;
}

const START_DATE_LENGTH = '2026-01-01T00:00:00.000Z'.length;

/** What a token's position is checked against. */
export interface ResumableWalk {
  /** Partitions are time buckets of this kind, named in the token; otherwise the one partition the query names. */
  buckets: BucketKind | undefined;
  partitions: QueryPlan['partitions'];
  keyRange: QueryPlan['keyRange'];
  range: ResolvedRange;
  order: SortOrder;
}

/**
 * A signed token was made by this API, but possibly by another version of it or with a range
 * that no longer fits: check the position lies inside the plan, so DynamoDB never sees a start
 * key outside the key condition (which it would reject with a 500-class error).
 */
export function resumeCursor(plan: ResumableWalk, contents: PageTokenContents): PageCursor {
  const unfit = () => new InvalidNextTokenError('nextToken does not fit this query: start again without it');
  if (!(contents.range.from <= contents.range.to)) throw unfit();
  const partition = plan.buckets ? bucketFor(plan, plan.buckets, contents) : plan.partitions.first;
  if (partition === undefined || (!plan.buckets && contents.partition !== undefined) || !plan.partitions.includes(partition)) throw unfit();
  const after = contents.after;
  if (!after) return { partition };
  const { startKey, scope } = after;
  const inRange = startKey >= plan.keyRange.lowest && startKey <= plan.keyRange.highest;
  const wellFormed = startKey.charAt(START_DATE_LENGTH) === '#' && startKey.length > START_DATE_LENGTH + 1 && scope.length > 0;
  const inPartition = !plan.buckets || startKey.startsWith(partition);
  if (!inRange || !wellFormed || !inPartition) throw unfit();
  return { partition, after };
}

/**
 * The token's bucket in the walk's kind: a token issued while the archive walked months continues
 * on days once its migration is complete (a month holds its days), and the other way round.
 */
function bucketFor(plan: ResumableWalk, kind: BucketKind, contents: PageTokenContents): string | undefined {
  const given = contents.partition;
  const givenKind = given === undefined ? undefined : bucketKindOf(given);
  if (given === undefined || givenKind === undefined || givenKind === kind) return given;
  if (kind === 'month') return given.slice(0, 7);
  if (contents.after) return contents.after.startKey.slice(0, 10);
  const [year, month] = given.split('-').map(Number) as [number, number];
  const monthStart = Date.UTC(year, month - 1, 1);
  const monthEnd = Date.UTC(year, month, 1);
  return plan.order === 'asc' ? bucketOf('day', Math.max(monthStart, plan.range.from)) : bucketOf('day', Math.min(monthEnd, plan.range.to) - 1);
}
