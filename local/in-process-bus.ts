/**
 * EventBridge on one machine: an event bus in the process, for `npm start` and the tests.
 *
 * - `InProcessEventBus` is an `EventSink`: the sweeper and the compliance check publish to it as
 *   they would to EventBridge (same entry-size limit), and rules deliver matching events to
 *   in-process targets asynchronously, in the envelope EventBridge delivers to a Lambda target,
 *   with retries and a dead-letter list, so a failing target never fails the publisher.
 * - `startEventBridgeEndpoint` puts the bus behind the PutEvents HTTP API (AWS JSON 1.1), so the
 *   real SDK client and the bundled Lambda code can publish to it (the artifact test does).
 * - `wireLocalEvents` connects sweeper → bus → compliance check → findings in the archive table:
 *   what the deployed stack does with EventBridge rules.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EVENTS_AND_FINDINGS } from '../lambdas/adapters/dynamodb/archive-table';
import { DynamoFindingsStore } from '../lambdas/adapters/dynamodb/dynamodb-findings-store';
import { createComplianceCheck } from '../lambdas/compliance/check-event';
import { DynamoArchivedSessionReader } from '../lambdas/adapters/dynamodb/dynamodb-archived-session-reader';
import { parseComplianceRules, type CompiledRules } from '../lambdas/core/compliance/rules';
import { entrySize, MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_ENTRY_BYTES } from '../lambdas/core/events/entry-size';
import { DETAIL_TYPE, EVENT_SOURCE, type ArchiveEvent } from '../lambdas/core/events/event-types';
import type { EventSink } from '../lambdas/core/events/ports';
import { systemClock, type Clock } from '../lambdas/core/sweep/ports';

/** What EventBridge hands a Lambda target. */
export interface BusEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** One entry as PutEvents takes it. */
export interface BusEntry {
  source: string;
  detailType: string;
  /** JSON text. */
  detail: string;
  time?: string;
}

export type BusTarget = (event: BusEnvelope) => Promise<unknown>;

export interface DeadLetter {
  rule: string;
  event: BusEnvelope;
  error: string;
}

export interface InProcessEventBusOptions {
  account: string;
  region: string;
  /** Deliveries per event and rule, the first included (EventBridge retries, then the DLQ). */
  maxAttempts?: number;
  /** Told of each event a target failed to take after every attempt. */
  onDeadLetter?: (letter: DeadLetter) => void;
}

interface BusRule {
  name: string;
  source: string;
  detailTypes: ReadonlySet<string>;
  target: BusTarget;
}

export class InProcessEventBus implements EventSink {
  /** Every event put on the bus, in order: tests count these. */
  readonly events: BusEnvelope[] = [];
  readonly deadLetters: DeadLetter[] = [];
  private readonly rules: BusRule[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxAttempts: number;

  constructor(private readonly options: InProcessEventBusOptions) {
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  /** A rule: events of `source` with one of `detailTypes` go to `target`. */
  addRule(name: string, detailTypes: readonly string[], target: BusTarget, source = EVENT_SOURCE): void {
    this.rules.push({ name, source, detailTypes: new Set(detailTypes), target });
  }

  async publish(events: readonly ArchiveEvent[]): Promise<void> {
    this.putEntries(events.map((event) => ({ source: EVENT_SOURCE, detailType: event.detailType, detail: JSON.stringify(event.detail), time: event.time })));
  }

  /** Accepts entries as PutEvents would (it refuses one over the size limit) and returns their ids. */
  putEntries(entries: readonly BusEntry[]): string[] {
    for (const entry of entries) {
      const size = entrySize({ source: entry.source, detailType: entry.detailType, detail: entry.detail, hasTime: entry.time !== undefined });
      if (size > MAX_REQUEST_ENTRY_BYTES) throw new RangeError(`an entry of ${size} bytes exceeds EventBridge's limit of ${MAX_REQUEST_ENTRY_BYTES}`);
    }
    return entries.map((entry) => {
      const envelope: BusEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.detailType,
        source: entry.source,
        account: this.options.account,
        time: entry.time ?? new Date().toISOString(),
        region: this.options.region,
        resources: [],
        detail: JSON.parse(entry.detail) as unknown,
      };
      this.events.push(envelope);
      for (const rule of this.rules) {
        if (rule.source !== envelope.source || !rule.detailTypes.has(envelope['detail-type'])) continue;
        const delivery = this.deliver(rule, envelope).finally(() => this.inFlight.delete(delivery));
        this.inFlight.add(delivery);
      }
      return envelope.id;
    });
  }

  /** Resolves once every delivery so far (and every event those deliveries published) has finished. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(rule: BusRule, event: BusEnvelope): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        // Asynchronous, as EventBridge delivers: a target never runs inside the publisher's call.
        await Promise.resolve();
        await rule.target(structuredClone(event));
        return;
      } catch (error: unknown) {
        lastError = error;
      }
    }
    const letter: DeadLetter = { rule: rule.name, event, error: lastError instanceof Error ? `${lastError.name}: ${lastError.message}` : String(lastError) };
    this.deadLetters.push(letter);
    this.options.onDeadLetter?.(letter);
  }
}

export interface EventBridgeEndpoint {
  /** `http://127.0.0.1:<port>`: an SDK EventBridgeClient's `endpoint`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * The bus behind EventBridge's PutEvents API (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`),
 * so the SDK client publishes to it over HTTP. No signature is checked. Only PutEvents is served.
 */
export async function startEventBridgeEndpoint(bus: InProcessEventBus, options: { port?: number; host?: string } = {}): Promise<EventBridgeEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((request, response) => {
    servePutEvents(bus, request, response).catch((error: unknown) => {
      reply(response, 500, { __type: 'InternalException', message: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface PutEventsEntryJson {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Time?: unknown;
}

async function servePutEvents(bus: InProcessEventBus, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (request.method !== 'POST' || request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
    reply(response, 400, { __type: 'UnknownOperationException', message: 'this endpoint serves AWSEvents.PutEvents only' });
    return;
  }
  let body: { Entries?: PutEventsEntryJson[] };
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: PutEventsEntryJson[] };
  } catch {
    reply(response, 400, { __type: 'SerializationException', message: 'the body is not JSON' });
    return;
  }
  const entries = body.Entries ?? [];
  if (entries.length < 1 || entries.length > MAX_ENTRIES_PER_REQUEST) {
    reply(response, 400, { __type: 'ValidationException', message: `Entries must hold 1 to ${MAX_ENTRIES_PER_REQUEST} entries, got ${entries.length}` });
    return;
  }
  const parsed: BusEntry[] = [];
  for (const entry of entries) {
    if (typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string' || typeof entry.Detail !== 'string') {
      reply(response, 400, { __type: 'ValidationException', message: 'every entry needs Source, DetailType and Detail' });
      return;
    }
    // The SDK sends Time as epoch seconds.
    const time = typeof entry.Time === 'number' ? new Date(entry.Time * 1000).toISOString() : undefined;
    parsed.push({ source: entry.Source, detailType: entry.DetailType, detail: entry.Detail, ...(time === undefined ? {} : { time }) });
  }
  const total = parsed.reduce((sum, entry) => sum + entrySize({ source: entry.source, detailType: entry.detailType, detail: entry.detail, hasTime: entry.time !== undefined }), 0);
  if (total > MAX_REQUEST_ENTRY_BYTES) {
    reply(response, 400, { __type: 'ValidationException', message: `the entries total ${total} bytes; the limit is ${MAX_REQUEST_ENTRY_BYTES}` });
    return;
  }
  const ids = bus.putEntries(parsed);
  reply(response, 200, { FailedEntryCount: 0, Entries: ids.map((id) => ({ EventId: id })) });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}

export interface LocalEventsOptions {
  /** The archive table's client: findings go into the same table the sweeper writes. */
  documents: DynamoDBDocumentClient;
  tableName: string;
  rules: CompiledRules;
  /** The account and region the envelopes carry. */
  accountId: string;
  region: string;
  /** One line per event a target failed to take (without the newline), and per finding with `printFindings`. */
  print?: (line: string) => void;
  /** Print every finding as it is made (off by default: `GET /findings` lists them). */
  printFindings?: boolean;
  clock?: Clock;
}

export interface LocalEvents {
  readonly bus: InProcessEventBus;
  /** Hand this to the sweep as `events`. */
  readonly sink: EventSink;
  /** Waits until the compliance check has taken every event published so far. */
  settled(): Promise<void>;
}

/**
 * The deployed stack's event wiring, in process: `Session Archived` → the compliance check (the
 * same code the Lambda runs) → findings in the archive table and `Session Compliance Finding` on
 * the bus, which `GET /findings` then serves.
 */
export function wireLocalEvents(options: LocalEventsOptions): LocalEvents {
  const print = options.print;
  const bus = new InProcessEventBus({
    account: options.accountId,
    region: options.region,
    ...(print ? { onDeadLetter: (letter: DeadLetter) => print(`compliance check failed for an event (kept aside): ${letter.error}`) } : {}),
  });
  const check = createComplianceCheck({
    rules: options.rules,
    sessions: new DynamoArchivedSessionReader({ client: options.documents, tableName: options.tableName }),
    findings: new DynamoFindingsStore({ client: options.documents, tableName: options.tableName }),
    sink: bus,
    clock: options.clock ?? systemClock,
  });
  bus.addRule('compliance-check', [DETAIL_TYPE.sessionArchived], check);
  if (print && options.printFindings) {
    bus.addRule('print-findings', [DETAIL_TYPE.complianceFinding], async (event) => {
      const { finding } = event.detail as { finding: { rule: string; sessionId: string; message: string } };
      print(`finding ${finding.rule}: ${finding.sessionId}: ${finding.message}`);
    });
  }
  return { bus, sink: bus, settled: () => bus.settled() };
}

/** A local archive made before events existed: its table lacks the index they need. */
export class ArchiveTooOldError extends Error {
  override readonly name = 'ArchiveTooOldError';
}

/**
 * Checks that the table has the `eventsAndFindings` index before events are wired to it. The
 * embedded store builds indexes only when it creates a table, so an archive made by an earlier
 * version cannot gain it: the caller should tell the user to start a new one.
 */
export async function assertTableSupportsEvents(dynamo: DynamoDBClient | DynamoDBDocumentClient, tableName: string): Promise<void> {
  // A document client sends plain DynamoDB commands unchanged; only its typings differ.
  const { Table } = await (dynamo as DynamoDBClient).send(new DescribeTableCommand({ TableName: tableName }));
  const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName);
  if (!indexes.includes(EVENTS_AND_FINDINGS.name)) {
    throw new ArchiveTooOldError(
      `the archive table ${tableName} was made by an earlier version and lacks the ${EVENTS_AND_FINDINGS.name} index that events and findings need; move its data folder aside to start a new archive`,
    );
  }
}

/** The repository's cdk.json, whose `compliance` context the deployed check uses too. */
export const DEFAULT_CDK_JSON = join(__dirname, '..', 'cdk.json');

/** The compliance rules of a cdk.json (`context.compliance`), checked as the deployment checks them. */
export function readComplianceRulesFromCdkJson(path = DEFAULT_CDK_JSON): CompiledRules {
  const cdkJson = JSON.parse(readFileSync(path, 'utf8')) as { context?: Record<string, unknown> };
  return parseComplianceRules(cdkJson.context?.compliance ?? {}, `${path}: context.compliance`);
}
