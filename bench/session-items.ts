/**
 * Archive items written straight with BatchWriteItem, for seeding large archives and for the raw
 * write-throughput baseline. They must be exactly what DynamoArchiveStore writes for a session
 * it has not seen before: `verifyItemShape` writes probes through the store and compares.
 */
import { DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { OPEN_SESSIONS, sessionKey, startDayOf, startKeyOf, startMonthOf } from '../lambdas/adapters/dynamodb/archive-table';
import { DynamoArchiveStore } from '../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { OPTIONAL_FIELDS } from '../lambdas/adapters/dynamodb/dynamodb-session-writes';
import { ensureArchiveTable } from '../lambdas/adapters/dynamodb/ensure-table';
import { mapWithConcurrency, sleep } from '../lambdas/core/shared/concurrency';
import { contentHash } from '../lambdas/core/session/content-hash';
import { isFinalStatus, scopeKey, type ObservedSession, type SourceScope } from '../lambdas/core/session/session';
import { toIso } from '../lambdas/core/shared/time';
import { startEmbeddedStore } from '../local/embedded-store';
import { BENCH_ACCOUNT_ID, BENCH_CREDENTIALS, seededRandom } from './support';

export type ArchiveItem = Record<string, unknown>;

/** The item the store's first conditional UpdateItem leaves for `session` (no retention TTL). */
export function archiveItem(scope: SourceScope, session: ObservedSession, nowIso: string): ArchiveItem {
  const final = isFinalStatus(session.status);
  const item: ArchiveItem = {
    ...sessionKey(session.sessionId, scopeKey(scope)),
    ...scope,
    sessionId: session.sessionId,
    target: session.target,
    status: session.status,
    startDate: session.startDate,
    startKey: startKeyOf(session.startDate, session.sessionId),
    startMonth: startMonthOf(session.startDate),
    startDay: startDayOf(session.startDate),
    lastSeenAt: nowIso,
    contentHash: contentHash(session),
    isFinal: final,
    firstArchivedAt: nowIso,
  };
  for (const field of OPTIONAL_FIELDS) if (session[field] !== undefined) item[field] = session[field];
  if (!final) item[OPEN_SESSIONS.partitionKey] = scopeKey(scope);
  return item;
}

/** The fleet and staff are fixed across an archive, skewed as real ones are: a few hosts and people do most sessions. */
const TARGETS = 2000;
const OWNERS = 300;
const DOCUMENTS = ['SSM-SessionManagerRunShell', 'SSM-SessionManagerRunShell', 'SSM-SessionManagerRunShell', 'AWS-StartPortForwardingSession', 'AWS-StartSSHSession'];
const REASONS = ['Investigate high CPU alarm', 'Deploy hotfix, then verify logs', 'Rotate TLS certificates (INC-20931)', 'Database maintenance, approved by CAB #4411', 'Emergency break-glass access'];

export function benchTarget(rank: number): string {
  return `i-${(0x1000 + rank).toString(16).padStart(17, '0')}`;
}

export function benchOwner(rank: number): string {
  return `arn:aws:sts::${BENCH_ACCOUNT_ID}:assumed-role/Operator/user${rank}`;
}

/**
 * Session number `index` of an archive whose start dates spread over [fromMs, toMs): a pure
 * function of its arguments, so a million sessions are generated as they are written, never held.
 */
export function benchSession(index: number, fromMs: number, toMs: number): ObservedSession {
  const random = seededRandom(Math.imul(index + 1, 2654435761));
  const start = fromMs + Math.floor(random() * (toMs - fromMs));
  const roll = random();
  const status = roll < 0.05 ? 'Failed' : roll < 0.06 ? 'Connected' : 'Terminated';
  const session: ObservedSession = {
    sessionId: `user${index % OWNERS}-${index.toString(16).padStart(17, '0')}`,
    target: benchTarget(Math.floor(TARGETS * random() ** 2)),
    status,
    startDate: toIso(start),
    owner: benchOwner(Math.floor(OWNERS * random() ** 1.5)),
    documentName: DOCUMENTS[Math.floor(random() * DOCUMENTS.length)] as string,
    accessType: random() < 0.1 ? 'JustInTime' : 'Standard',
  };
  if (status !== 'Connected') session.endDate = toIso(start + 1000 + Math.floor(random() * 3 * 3_600_000));
  if (random() < 0.55) session.reason = REASONS[Math.floor(random() * REASONS.length)] as string;
  if (random() < 0.25) session.outputUrl = { s3OutputUrl: `https://acme-ssm-session-logs.s3.amazonaws.com/${session.sessionId}.log` };
  return session;
}

/** Probes that cover every branch of the item: open and final, every optional field present and absent. */
function shapeProbes(fromMs: number, toMs: number): ObservedSession[] {
  const probes: ObservedSession[] = [];
  for (let index = 0; probes.length < 40; index++) probes.push({ ...benchSession(index, fromMs, toMs), sessionId: `shape-probe-${index}` });
  probes.push({ sessionId: 'shape-probe-bare', target: benchTarget(1), status: 'Connected', startDate: toIso(fromMs) });
  probes.push({
    sessionId: 'shape-probe-full',
    target: benchTarget(2),
    status: 'Terminated',
    startDate: toIso(fromMs),
    endDate: toIso(fromMs + 60_000),
    documentName: 'AWS-StartSSHSession',
    owner: benchOwner(3),
    reason: 'shape probe',
    details: 'Session started from the AWS Management Console',
    outputUrl: { cloudWatchOutputUrl: 'https://console.aws.amazon.com/cloudwatch/home' },
    maxSessionDuration: '60',
    accessType: 'JustInTime',
  });
  return probes;
}

const canonical = (item: ArchiveItem | undefined): string =>
  JSON.stringify(Object.fromEntries(Object.entries(item ?? {}).sort(([a], [b]) => a.localeCompare(b))));

/**
 * Writes the probes through DynamoArchiveStore into a throwaway in-memory dynalite and checks
 * that `archiveItem` builds the very same items. Throws on the first difference. (Not in a seeded
 * archive: dynalite 4 deletes a table by streaming every key of the whole database.)
 */
export async function verifyItemShape(scope: SourceScope, nowIso: string, fromMs: number, toMs: number): Promise<number> {
  const scratch = await startEmbeddedStore();
  const raw = new DynamoDBClient({ region: scope.region, endpoint: scratch.endpoint, credentials: BENCH_CREDENTIALS });
  const documents = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  try {
    const tableName = 'item-shape-check';
    await ensureArchiveTable(raw, tableName);
    const probes = shapeProbes(fromMs, toMs);
    await new DynamoArchiveStore({ client: documents, tableName }).archiveSessions(scope, probes, nowIso);
    for (const probe of probes) {
      const stored = (await documents.send(new GetCommand({ TableName: tableName, Key: sessionKey(probe.sessionId, scopeKey(scope)), ConsistentRead: true }))).Item;
      const built = archiveItem(scope, probe, nowIso);
      if (canonical(stored) !== canonical(built)) {
        throw new Error(`bench/session-items.ts builds items that differ from DynamoArchiveStore's:\n store ${canonical(stored)}\n bench ${canonical(built)}`);
      }
    }
    return probes.length;
  } finally {
    raw.destroy();
    await scratch.close();
  }
}

/** A digest of the builder's output: a seeded archive is reused only while this stays the same. */
export function itemShapeDigest(scope: SourceScope, nowIso: string, fromMs: number, toMs: number): string {
  const hash = createHash('sha256');
  for (const probe of shapeProbes(fromMs, toMs)) hash.update(canonical(archiveItem(scope, probe, nowIso)));
  return hash.digest('hex').slice(0, 16);
}

const MAX_BATCH_ATTEMPTS = 9;

/** BatchWriteItem of up to 25 items, retrying what DynamoDB left unprocessed. Returns the requests sent. */
export async function batchWrite(documents: DynamoDBDocumentClient, tableName: string, items: readonly ArchiveItem[]): Promise<number> {
  let requests = items.map((item) => ({ PutRequest: { Item: item } }));
  let sent = 0;
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`BatchWriteItem left ${requests.length} items unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`);
    if (attempt > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
    sent++;
    try {
      const result = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    } catch (error: unknown) {
      // dynalite 4 on disk now and then reports an existing table missing under a heavy write
      // load (seen once in a million-item seed); the next attempt finds it.
      if (!(error instanceof ResourceNotFoundException) || attempt + 1 >= MAX_BATCH_ATTEMPTS) throw error;
    }
  }
  return sent;
}

export const BATCH_WRITE_SIZE = 25;
/** Batches in flight: enough to keep dynalite's single thread busy. */
export const BATCH_WRITE_CONCURRENCY = 8;

/** Writes items `build(0..count-1)` with BatchWriteItem; returns items per second. */
export async function writeItems(
  documents: DynamoDBDocumentClient,
  tableName: string,
  count: number,
  build: (index: number) => ArchiveItem,
  onProgress?: (written: number) => void,
): Promise<number> {
  const batches = Array.from({ length: Math.ceil(count / BATCH_WRITE_SIZE) }, (_, i) => i);
  const started = performance.now();
  let written = 0;
  await mapWithConcurrency(batches, BATCH_WRITE_CONCURRENCY, async (batch) => {
    const first = batch * BATCH_WRITE_SIZE;
    const items = Array.from({ length: Math.min(BATCH_WRITE_SIZE, count - first) }, (_, i) => build(first + i));
    await batchWrite(documents, tableName, items);
    written += items.length;
    if (onProgress && batch % 2000 === 0) onProgress(written);
  });
  return count / ((performance.now() - started) / 1000);
}
