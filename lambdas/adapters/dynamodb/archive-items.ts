/**
 * Conversions between DynamoDB items and core types. Items keep times as ISO text so the
 * table is readable in the console and ranges sort as strings.
 */
import type { ComplianceFinding } from '../../core/compliance/finding';
import { scopeKey, type OutputUrl, type SessionConnection, type SessionRecord } from '../../core/session/session';
import { TARGET_FAILURE_KINDS, type CoverageGap, type LastSweep, type ResumableListing, type SweepState, type TargetFailure, type TargetFailureKind } from '../../core/sweep/sweep-state';
import { fromIso, toIso, type TimeRange } from '../../core/shared/time';
import { EVENTS_AND_FINDINGS, findingKey, findingsPartition, sortKeyOf, startKeyOf, startMonthOf } from './archive-table';

type Item = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function sessionRecordFromItem(item: Item): SessionRecord {
  const outputUrl = item.outputUrl as OutputUrl | undefined;
  const accessType = text(item.accessType);
  const record: SessionRecord = {
    sessionId: String(item.sessionId),
    target: String(item.target),
    status: String(item.status),
    startDate: String(item.startDate),
    endDate: text(item.endDate),
    documentName: text(item.documentName),
    owner: text(item.owner),
    reason: text(item.reason),
    details: text(item.details),
    outputUrl: outputUrl && typeof outputUrl === 'object' ? outputUrl : undefined,
    maxSessionDuration: text(item.maxSessionDuration),
    accessType,
    ...sourceSpecificFromItem(item),
    accountId: String(item.accountId),
    region: String(item.region),
    source: String(item.source),
    firstArchivedAt: String(item.firstArchivedAt),
    lastSeenAt: String(item.lastSeenAt),
    endedUnobservedAt: text(item.endedUnobservedAt),
    evidenceHash: text(item.evidenceHash),
    evidenceSequence: typeof item.evidenceSequence === 'number' ? item.evidenceSequence : undefined,
  };
  for (const key of Object.keys(record) as (keyof SessionRecord)[]) if (record[key] === undefined) delete record[key];
  return record;
}

/** Alibaba Cloud's fields; absent on SSM records. */
function sourceSpecificFromItem(item: Item): Partial<SessionRecord> {
  const fields: Partial<SessionRecord> = {
    username: text(item.username),
    identityType: text(item.identityType),
    clientIp: text(item.clientIp),
    targetServer: text(item.targetServer),
  };
  if (Array.isArray(item.instanceIds)) fields.instanceIds = item.instanceIds.map(String);
  if (typeof item.portNumber === 'number') fields.portNumber = item.portNumber;
  if (Array.isArray(item.connections)) fields.connections = (item.connections as Item[]).map(connectionFromItem);
  return fields;
}

function connectionFromItem(item: Item): SessionConnection {
  const connection: SessionConnection = { instanceId: String(item.instanceId), status: String(item.status) };
  for (const key of ['startTime', 'endTime', 'closedReason', 'failedDetail'] as const) {
    const value = text(item[key]);
    if (value !== undefined) connection[key] = value;
  }
  return connection;
}

const rangeToItem = (range: TimeRange) => ({ from: toIso(range.from), to: toIso(range.to) });
const rangeFromItem = (item: Item): TimeRange => ({ from: fromIso(String(item.from)), to: fromIso(String(item.to)) });
const isoOrNull = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : toIso(ms));
const msOrNull = (value: unknown) => (typeof value === 'string' ? fromIso(value) : null);

export function sweepStateToItem(state: SweepState): Item {
  return {
    watermark: isoOrNull(state.watermark),
    version: state.version,
    coverage: state.coverage.map(rangeToItem),
    gaps: state.gaps.map((gap) => ({ ...rangeToItem(gap), detectedAt: toIso(gap.detectedAt) })),
    listedUntil: isoOrNull(state.listedUntil),
    sliceMs: state.sliceMs,
    lastSweep: state.lastSweep
      ? { ...state.lastSweep, startedAt: toIso(state.lastSweep.startedAt), finishedAt: toIso(state.lastSweep.finishedAt) }
      : null,
    lastCompletedAt: isoOrNull(state.lastCompletedAt),
    confirmed: state.confirmed.map(rangeToItem),
    reconciliation: listingToItem(state.reconciliation),
    endedLookup: listingToItem(state.endedLookup),
    historyListing: listingToItem(state.historyListing),
    lastReconciledAt: isoOrNull(state.lastReconciledAt),
    lastError: state.lastError ? { ...state.lastError, since: toIso(state.lastError.since) } : null,
    ...(state.newestListed === undefined ? {} : { newestListed: toIso(state.newestListed) }),
  };
}

export function sweepStateFromItem(item: Item): SweepState {
  const lastSweep = item.lastSweep as Item | null | undefined;
  return {
    watermark: msOrNull(item.watermark),
    version: Number(item.version ?? 0),
    coverage: ((item.coverage as Item[] | undefined) ?? []).map(rangeFromItem),
    gaps: ((item.gaps as Item[] | undefined) ?? []).map((gap): CoverageGap => ({ ...rangeFromItem(gap), detectedAt: fromIso(String(gap.detectedAt)) })),
    listedUntil: msOrNull(item.listedUntil),
    sliceMs: typeof item.sliceMs === 'number' ? item.sliceMs : null,
    lastSweep: lastSweep
      ? ({
          startedAt: fromIso(String(lastSweep.startedAt)),
          finishedAt: fromIso(String(lastSweep.finishedAt)),
          complete: lastSweep.complete === true,
          sessionsWritten: Number(lastSweep.sessionsWritten ?? 0),
        } satisfies LastSweep)
      : undefined,
    lastCompletedAt: msOrNull(item.lastCompletedAt) ?? undefined,
    // Checkpoints written before reconciliation existed have none of these.
    confirmed: ((item.confirmed as Item[] | undefined) ?? []).map(rangeFromItem),
    reconciliation: listingFromItem(item.reconciliation as Item | null | undefined),
    endedLookup: listingFromItem(item.endedLookup as Item | null | undefined),
    historyListing: listingFromItem(item.historyListing as Item | null | undefined),
    lastReconciledAt: msOrNull(item.lastReconciledAt),
    lastError: failureFromItem(item.lastError as Item | null | undefined),
    ...(typeof item.newestListed === 'string' ? { newestListed: fromIso(item.newestListed) } : {}),
  };
}

function failureFromItem(item: Item | null | undefined): TargetFailure | null {
  if (!item || typeof item.kind !== 'string') return null;
  const kind = (TARGET_FAILURE_KINDS as readonly string[]).includes(item.kind) ? (item.kind as TargetFailureKind) : 'failed';
  return { kind, message: String(item.message ?? ''), since: fromIso(String(item.since)) };
}

function listingToItem(listing: ResumableListing | null): Item | null {
  if (listing === null) return null;
  return {
    startedAt: toIso(listing.startedAt),
    after: isoOrNull(listing.after),
    before: isoOrNull(listing.before),
    nextToken: listing.nextToken,
    pagesListed: listing.pagesListed,
  };
}

function listingFromItem(item: Item | null | undefined): ResumableListing | null {
  if (!item) return null;
  const listing: ResumableListing = {
    startedAt: fromIso(String(item.startedAt)),
    nextToken: typeof item.nextToken === 'string' ? item.nextToken : null,
    pagesListed: Number(item.pagesListed ?? 0),
  };
  const after = msOrNull(item.after);
  const before = msOrNull(item.before);
  if (after !== null) listing.after = after;
  if (before !== null) listing.before = before;
  return listing;
}

/**
 * A finding item. The session's fields sit in a nested `session` map so that no finding carries a
 * top-level `target`, `owner`, `startMonth` or `startKey`: the session indexes never see findings.
 */
export function findingToItem(finding: ComplianceFinding): Item {
  const { findingId, rule, message, detectedAt, sourceEventId, ...session } = finding;
  return {
    ...findingKey(finding.sessionId, scopeKey(finding), rule),
    [EVENTS_AND_FINDINGS.partitionKey]: findingsPartition(startMonthOf(finding.startDate)),
    [sortKeyOf(EVENTS_AND_FINDINGS)]: startKeyOf(finding.startDate, finding.sessionId),
    findingId,
    rule,
    message,
    detectedAt,
    sourceEventId,
    session,
  };
}

export function findingFromItem(item: Item): ComplianceFinding {
  const session = (item.session ?? {}) as Item;
  const finding: ComplianceFinding = {
    findingId: String(item.findingId),
    rule: String(item.rule) as ComplianceFinding['rule'],
    message: String(item.message),
    detectedAt: String(item.detectedAt),
    sourceEventId: String(item.sourceEventId),
    sessionId: String(session.sessionId),
    target: String(session.target),
    status: String(session.status),
    startDate: String(session.startDate),
    endDate: text(session.endDate),
    owner: text(session.owner),
    documentName: text(session.documentName),
    accessType: text(session.accessType),
    reason: text(session.reason),
    accountId: String(session.accountId),
    region: String(session.region),
    source: String(session.source),
  };
  for (const key of Object.keys(finding) as (keyof ComplianceFinding)[]) if (finding[key] === undefined) delete finding[key];
  return finding;
}
