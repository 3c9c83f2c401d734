/**
 * Runs a plan for one page: reads partitions in walk order, each read bounded, until the page is
 * full, the range is exhausted, or the request's work budget is spent. Then it returns what it
 * found and, unless the range is exhausted, the cursor to continue from. A ten-year range with
 * three matches therefore costs a few bounded requests, never a scan and never a timeout.
 *
 * The cursor is a keyset position (a partition and the index key to resume after), not an
 * offset: sessions archived meanwhile take their own place in the index and never shift what
 * later pages return, so pages have neither duplicates nor gaps.
 */
import type { SessionRecord } from '../session/session';
import type { PartitionWalk, QueryPlan } from './plan';
import type { IndexPosition, SessionIndexReader } from './ports';

export interface WorkBudget {
  /** Index reads (DynamoDB Query calls) per request: bounds the walk over empty month buckets. */
  maxReads: number;
  /** Items evaluated per request: bounds the cost of filters that match rarely. */
  maxEvaluated: number;
  /**
   * Time this request may still spend reading; no further read starts once it is used up. A
   * backstop for a slow DynamoDB: the two counts above bound the work long before in practice.
   */
  timeLeftMs?: () => number;
}

// 120 reads walk ten years of empty month buckets in one request; 5,000 items cap rare filters.
export const DEFAULT_WORK_BUDGET: WorkBudget = { maxReads: 120, maxEvaluated: 5000 };

export interface PageCursor {
  partition: string;
  /** Resume strictly after this key; absent: at the start of the partition. */
  after?: IndexPosition;
}

export interface CollectedPage {
  sessions: SessionRecord[];
  /** Absent when the whole range has been returned. */
  next?: PageCursor;
  work: { reads: number; evaluated: number };
}

export async function collectPage(
  plan: QueryPlan,
  limit: number,
  start: PageCursor | undefined,
  reader: SessionIndexReader,
  budget: WorkBudget = DEFAULT_WORK_BUDGET,
): Promise<CollectedPage> {
  const collected = await collectItems({ partitions: plan.partitions, filtered: plan.conditions.length > 0 }, limit, start, budget, async (cursor, maxEvaluated) => {
    const page = await reader.readPartition({
      index: plan.index,
      partition: cursor.partition,
      keyRange: plan.keyRange,
      conditions: plan.conditions,
      order: plan.order,
      maxEvaluated,
      startAfter: cursor.after,
    });
    return { items: page.sessions, evaluated: page.evaluated, lastEvaluated: page.lastEvaluated };
  });
  return collected.next ? { sessions: collected.items, next: collected.next, work: collected.work } : { sessions: collected.items, work: collected.work };
}

/** An item an index read returned, with its place in the index. */
export interface PositionedItem<R> {
  record: R;
  position: IndexPosition;
}

/** One bounded read of one partition: matches, items evaluated, and where it stopped. */
export interface ItemPage<R> {
  items: PositionedItem<R>[];
  evaluated: number;
  lastEvaluated?: IndexPosition;
}

export interface ItemWalk {
  partitions: PartitionWalk;
  /** Whether filter conditions apply (items read may then not match). */
  filtered: boolean;
}

export interface CollectedItems<R> {
  items: R[];
  next?: PageCursor;
  work: { reads: number; evaluated: number };
}

/** The page walk for any item kind: `read` does one bounded read of one partition from the cursor. */
export async function collectItems<R>(
  walk: ItemWalk,
  limit: number,
  start: PageCursor | undefined,
  budget: WorkBudget,
  read: (cursor: PageCursor, maxEvaluated: number) => Promise<ItemPage<R>>,
): Promise<CollectedItems<R>> {
  const items: R[] = [];
  const work = { reads: 0, evaluated: 0 };
  let cursor: PageCursor | undefined = start ?? (walk.partitions.first === undefined ? undefined : { partition: walk.partitions.first });
  let lastReadSize = 0;

  while (cursor && items.length < limit) {
    const budgetLeft = budget.maxEvaluated - work.evaluated;
    if (work.reads >= budget.maxReads || budgetLeft <= 0) break;
    if (work.reads > 0 && budget.timeLeftMs && budget.timeLeftMs() <= 0) break;
    const wanted = limit - items.length;
    // Without conditions every evaluated item is returned: read exactly what the page lacks.
    // With conditions, read as many as the match rate so far says it takes to fill the page.
    const toEvaluate = Math.min(budgetLeft, walk.filtered ? estimateReadSize(wanted, items.length, work.evaluated, lastReadSize) : wanted);
    const page = await read(cursor, toEvaluate);
    work.reads++;
    work.evaluated += page.evaluated;
    lastReadSize = toEvaluate;

    const taken = page.items.slice(0, wanted);
    for (const item of taken) items.push(item.record);
    const lastTaken = taken[taken.length - 1];
    if (lastTaken && taken.length < page.items.length) {
      // More matched than the page holds: resume right after the last one returned.
      cursor = { partition: cursor.partition, after: lastTaken.position };
    } else if (page.lastEvaluated) {
      cursor = { partition: cursor.partition, after: page.lastEvaluated };
    } else {
      const next = walk.partitions.next(cursor.partition);
      cursor = next === undefined ? undefined : { partition: next };
    }
  }
  return cursor ? { items, next: cursor, work } : { items, work };
}

/** Largest read with conditions; DynamoDB also stops at 1 MB. */
const MAX_FILTERED_READ = 2000;

function estimateReadSize(wanted: number, matched: number, evaluated: number, lastReadSize: number): number {
  if (evaluated === 0) return wanted;
  // Nothing matched yet: grow geometrically instead of guessing a rate of zero.
  const estimate = matched === 0 ? lastReadSize * 4 : Math.ceil((wanted * evaluated) / matched);
  return Math.max(wanted, Math.min(estimate, MAX_FILTERED_READ));
}
