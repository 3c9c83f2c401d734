/** `GET /findings` in the core: the same range defaults, bounded page walk and signed tokens as `/sessions`. */
import type { ComplianceFinding } from '../compliance/finding';
import type { Clock } from '../sweep/ports';
import { collectItems, DEFAULT_WORK_BUDGET, type PageCursor, type WorkBudget } from './collect-page';
import { resumeCursor, timeWalkOptions, tokenRange } from './find-sessions';
import { planFindingsQuery, type FindingsPlan } from './findings-plan';
import { findingsQueryIdentity, type FindingsQuery } from './findings-query';
import { issueTokenFor, readTokenFor, type PageTokenContents, type PageTokenKeys } from './page-token';
import { resolveRange } from './plan';
import type { FindingIndexReader, TimeIndexStateReader } from './ports';

export interface FindFindingsDeps {
  reader: FindingIndexReader;
  /** Bounds the month walk by the archive's earliest and latest start (findings are of archived sessions). */
  timeIndex?: TimeIndexStateReader;
  tokenKeys: PageTokenKeys;
  clock: Clock;
  budget?: WorkBudget;
}

export interface FindingsPage {
  findings: ComplianceFinding[];
  nextToken?: string;
  work: { reads: number; evaluated: number };
}

export async function findFindings(query: FindingsQuery, deps: FindFindingsDeps): Promise<FindingsPage> {
  const identity = findingsQueryIdentity(query);
  // Findings stay in month partitions; only the bounds of the walk come from the archive.
  const { bounds } = await timeWalkOptions(deps.timeIndex, deps.clock.now());
  let plan: FindingsPlan;
  let start: PageCursor | undefined;
  if (query.nextToken !== undefined) {
    const contents = readTokenFor(query.nextToken, identity, deps.tokenKeys, deps.clock.now());
    plan = planFindingsQuery(query, tokenRange(contents, query), bounds);
    start = resumeCursor({ buckets: 'month', partitions: plan.partitions, keyRange: plan.keyRange, range: plan.range, order: plan.order }, contents);
  } else {
    plan = planFindingsQuery(query, resolveRange(query, deps.clock.now()), bounds);
  }
  const page = await collectItems(
    { partitions: plan.partitions, filtered: plan.conditions.length > 0 },
    query.limit,
    start,
    deps.budget ?? DEFAULT_WORK_BUDGET,
    async (cursor, maxEvaluated) => {
      const read = await deps.reader.readFindingsPartition({
        month: cursor.partition,
        keyRange: plan.keyRange,
        conditions: plan.conditions,
        order: plan.order,
        maxEvaluated,
        startAfter: cursor.after,
      });
      return { items: read.findings, evaluated: read.evaluated, lastEvaluated: read.lastEvaluated };
    },
  );
  const result: FindingsPage = { findings: page.items, work: page.work };
  if (page.next) {
    const contents: PageTokenContents = { range: plan.range, partition: page.next.partition };
    if (page.next.after) contents.after = page.next.after;
    result.nextToken = issueTokenFor(identity, contents, deps.tokenKeys, deps.clock.now());
  }
  return result;
}
