/**
 * `GET /sessions` in the core: resolve the range (or take it from the token), plan, collect one
 * bounded page, and sign the cursor of the next one.
 */
import type { Clock } from '../ports';
import type { SessionRecord } from '../session';
import { collectPage, DEFAULT_WORK_BUDGET, type PageCursor, type WorkBudget } from './collect-page';
import { InvalidNextTokenError } from './errors';
import type { SessionQuery } from './parameters';
import { planQuery, resolveRange, type QueryPlan } from './plan';
import { issuePageToken, readPageToken, type PageTokenContents, type PageTokenKeys } from './page-token';
import type { SessionIndexReader } from './ports';

export interface FindSessionsDeps {
  reader: SessionIndexReader;
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
  let plan: QueryPlan;
  let start: PageCursor | undefined;
  if (query.nextToken !== undefined) {
    const contents = readPageToken(query.nextToken, query, deps.tokenKeys, deps.clock.now());
    plan = planQuery(query, contents.range);
    start = resumeCursor({ monthPartitioned: plan.index === 'time', partitions: plan.partitions, keyRange: plan.keyRange }, contents);
  } else {
    plan = planQuery(query, resolveRange(query, deps.clock.now()));
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

const START_DATE_LENGTH = '2026-01-01T00:00:00.000Z'.length;

/** What a token's position is checked against. */
export interface ResumableWalk {
  /** Partitions are month buckets named in the token; otherwise the one partition the query names. */
  monthPartitioned: boolean;
  partitions: QueryPlan['partitions'];
  keyRange: QueryPlan['keyRange'];
}

/**
 * A signed token was made by this API, but possibly by another version of it or with a range
 * that no longer fits: check the position lies inside the plan, so DynamoDB never sees a start
 * key outside the key condition (which it would reject with a 500-class error).
 */
export function resumeCursor(plan: ResumableWalk, contents: PageTokenContents): PageCursor {
  const unfit = () => new InvalidNextTokenError('nextToken does not fit this query: start again without it');
  if (!(contents.range.from <= contents.range.to)) throw unfit();
  const partition = plan.monthPartitioned ? contents.partition : plan.partitions.first;
  if (partition === undefined || (!plan.monthPartitioned && contents.partition !== undefined) || !plan.partitions.includes(partition)) throw unfit();
  const after = contents.after;
  if (!after) return { partition };
  const { startKey, scope } = after;
  const inRange = startKey >= plan.keyRange.lowest && startKey <= plan.keyRange.highest;
  const wellFormed = startKey.charAt(START_DATE_LENGTH) === '#' && startKey.length > START_DATE_LENGTH + 1 && scope.length > 0;
  const inPartition = !plan.monthPartitioned || startKey.slice(0, 7) === partition;
  if (!inRange || !wellFormed || !inPartition) throw unfit();
  return { partition, after };
}
