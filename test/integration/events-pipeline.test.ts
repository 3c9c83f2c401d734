/**
 * Local mode end to end, as `npm start` wires it: the sweep publishes through the real
 * EventBridgePublisher and SDK client, over HTTP, to the in-process bus; the bus's rule hands each
 * `Session Archived` to the compliance check (the code the Lambda runs), which writes findings to
 * the same dynalite table; `GET /findings` on the query API handler serves them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createArchiveTableInput, EVENTS_AND_FINDINGS } from '../../lambdas/adapters/dynamodb/archive-table';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { DynamoFindingsReader } from '../../lambdas/adapters/dynamodb/dynamodb-findings-reader';
import { DynamoSessionReader } from '../../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { createEventBridgeClient, EventBridgePublisher } from '../../lambdas/adapters/aws/eventbridge-publisher';
import { createApiHandler } from '../../lambdas/api/app';
import { evaluate } from '../../lambdas/core/compliance/evaluate';
import { findingIdOf, type ComplianceFinding } from '../../lambdas/core/compliance/finding';
import { parseComplianceRules } from '../../lambdas/core/compliance/rules';
import { contentHash } from '../../lambdas/core/session/content-hash';
import {
  complianceFindingDetailSchema,
  coverageGapDetailSchema,
  sessionArchivedDetailSchema,
  sweepCompletedDetailSchema,
} from '../../lambdas/core/events/detail-schemas';
import { DETAIL_TYPE } from '../../lambdas/core/events/event-types';
import { findingsPageSchema } from '../../lambdas/core/query/response-schemas';
import { sweep } from '../../lambdas/core/sweep/sweep';
import { DAY_MS, HOUR_MS } from '../../lambdas/core/shared/time';
import { localLambdaContext, toProxyEvent } from '../../local/api-server';
import {
  ArchiveTooOldError,
  assertTableSupportsEvents,
  readComplianceRulesFromCdkJson,
  startEventBridgeEndpoint,
  wireLocalEvents,
  type EventBridgeEndpoint,
} from '../../local/in-process-bus';
import { ACCOUNT_ID, REGION, startSweepRig, type SweepRig } from '../support/sweep-harness';

const t0 = Date.UTC(2026, 2, 20);
const RULES = parseComplianceRules({
  maxDurationMinutes: 120,
  reasonRequired: true,
  offHours: { start: '20:00', end: '07:00', timeZone: 'Europe/Berlin', weekends: true },
});

describe('local mode: sweeper → in-process bus → compliance check → GET /findings', () => {
  let rig: SweepRig | undefined;
  let endpoint: EventBridgeEndpoint | undefined;
  afterEach(async () => {
    await endpoint?.close();
    await rig?.close();
    endpoint = undefined;
    rig = undefined;
  });

  it('publishes every state over the real SDK, checks each, and serves exactly the expected findings', async () => {
    rig = await startSweepRig({ startMs: t0 });
    const documents = DynamoDBDocumentClient.from(rig.dynamo);
    const local = wireLocalEvents({ documents, tableName: rig.tableName, rules: RULES, accountId: ACCOUNT_ID, region: REGION, clock: rig.clock });
    endpoint = await startEventBridgeEndpoint(local.bus);
    const eventBridge = createEventBridgeClient({ region: REGION, endpoint: endpoint.endpoint });
    const publisher = new EventBridgePublisher({ client: eventBridge, eventBusName: 'session-archive' });
    rig.emulator.generateSessions({ count: 100, seed: 5, fromMs: t0 - 20 * DAY_MS, toMs: t0 + DAY_MS, openFraction: 0.1 });

    for (const at of [t0, t0 + 12 * HOUR_MS, t0 + 2 * DAY_MS]) {
      rig.clock.set(at);
      const summary = await sweep({ source: rig.source(), store: rig.store, clock: rig.clock, events: publisher });
      expect(summary.sessionEvents).toEqual({ published: summary.written, undelivered: 0 });
    }
    await local.settled();
    eventBridge.destroy();
    // Batches of at most 10 went over HTTP: far fewer requests than events.
    const archivedEvents = local.bus.events.filter((event) => event['detail-type'] === DETAIL_TYPE.sessionArchived);
    expect(publisher.stats.requests).toBeLessThan(archivedEvents.length / 5);
    expect(publisher.stats.entriesRetried).toBe(0);

    // Every Session Archived matches its schema, and each session's last one is its archived record.
    const archived = new Map((await rig.archived()).map((record) => [record.sessionId, record]));
    const lastEvent = new Map<string, z.infer<typeof sessionArchivedDetailSchema>>();
    for (const event of archivedEvents) {
      expect(event).toMatchObject({ source: 'session-archive', account: ACCOUNT_ID, region: REGION });
      const detail = z.parse(sessionArchivedDetailSchema, event.detail);
      lastEvent.set(detail.session.sessionId, detail);
    }
    expect([...lastEvent.keys()].sort()).toEqual([...archived.keys()].sort());
    for (const [sessionId, detail] of lastEvent) {
      const record = archived.get(sessionId);
      expect(detail.session).toEqual(Object.fromEntries(Object.entries(record ?? {}).filter(([key]) => key in detail.session)));
      expect(detail.eventId).toBe(`${sessionId}#${contentHash(detail.session)}`);
    }
    const completed = local.bus.events.filter((event) => event['detail-type'] === DETAIL_TYPE.sweepCompleted).map((event) => z.parse(sweepCompletedDetailSchema, event.detail));
    expect(completed.map((detail) => detail.complete)).toEqual([true, true, true]);

    // The findings: one per session and broken rule, judged on every state the session had.
    const expected = new Map<string, string>();
    for (const event of archivedEvents) {
      const { session } = z.parse(sessionArchivedDetailSchema, event.detail);
      for (const breach of evaluate(session, RULES)) expected.set(findingIdOf(session, breach.rule), session.startDate);
    }
    expect(new Set([...expected.keys()].map((id) => id.split('#').pop())).size).toBe(3);
    const findingEvents = local.bus.events.filter((event) => event['detail-type'] === DETAIL_TYPE.complianceFinding);
    expect(findingEvents.map((event) => z.parse(complianceFindingDetailSchema, event.detail).finding.findingId).sort()).toEqual([...expected.keys()].sort());
    expect(local.bus.deadLetters).toEqual([]);

    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const api = createApiHandler({
      reader: new DynamoSessionReader({ client: documents, tableName: rig.tableName }),
      findings: new DynamoFindingsReader({ client: documents, tableName: rig.tableName }),
      tokenSecret: 'pipeline-test-token-secret-0123456789abcdef',
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'SessionArchiveTest' }),
      clock: rig.clock,
    });
    const served: ComplianceFinding[] = [];
    let nextToken: string | undefined;
    let requests = 0;
    do {
      const query = new URLSearchParams({ limit: '25', ...(nextToken ? { nextToken } : {}) });
      const response = await api(toProxyEvent({ method: 'GET', url: `/findings?${query.toString()}` }, `r${++requests}`), localLambdaContext(`r${requests}`));
      expect(response.statusCode).toBe(200);
      const page = z.parse(findingsPageSchema, JSON.parse(response.body));
      served.push(...page.findings);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    expect(served.map((finding) => finding.findingId).sort()).toEqual([...expected.keys()].sort());
    // Newest session first, as /sessions.
    const starts = served.map((finding) => finding.startDate);
    expect(starts).toEqual([...starts].sort().reverse());
  });

  it('announces a coverage gap when the sweeper was down longer than SSM keeps history', async () => {
    rig = await startSweepRig({ startMs: t0 });
    const local = wireLocalEvents({ documents: DynamoDBDocumentClient.from(rig.dynamo), tableName: rig.tableName, rules: RULES, accountId: ACCOUNT_ID, region: REGION, clock: rig.clock });
    rig.emulator.generateSessions({ count: 40, seed: 9, fromMs: t0 - 5 * DAY_MS, toMs: t0 + 40 * DAY_MS, openFraction: 0 });
    await sweep({ source: rig.source(), store: rig.store, clock: rig.clock, events: local.sink });
    rig.clock.advance(35 * DAY_MS);
    const summary = await sweep({ source: rig.source(), store: rig.store, clock: rig.clock, events: local.sink });
    await local.settled();
    expect(summary.gaps).toHaveLength(1);
    const gaps = local.bus.events.filter((event) => event['detail-type'] === DETAIL_TYPE.coverageGapDetected).map((event) => z.parse(coverageGapDetailSchema, event.detail));
    expect(gaps).toEqual([expect.objectContaining({ from: summary.gaps[0]?.from, to: summary.gaps[0]?.to, accountId: ACCOUNT_ID, region: REGION, source: 'ssm' })]);
  });

  it('refuses, with a clear error, a local archive made before the events index existed', async () => {
    rig = await startSweepRig({ startMs: t0 });
    await expect(assertTableSupportsEvents(rig.dynamo, rig.tableName)).resolves.toBeUndefined();
    const old = createArchiveTableInput('archive-before-events');
    const newer = new Set([EVENTS_AND_FINDINGS.partitionKey, EVENTS_AND_FINDINGS.sortKey]);
    await rig.dynamo.send(
      new CreateTableCommand({
        ...old,
        AttributeDefinitions: old.AttributeDefinitions?.filter((attribute) => !newer.has(attribute.AttributeName)),
        GlobalSecondaryIndexes: old.GlobalSecondaryIndexes?.filter((index) => index.IndexName !== EVENTS_AND_FINDINGS.name),
      }),
    );
    await expect(assertTableSupportsEvents(rig.dynamo, 'archive-before-events')).rejects.toThrow(ArchiveTooOldError);
    await expect(assertTableSupportsEvents(rig.dynamo, 'archive-before-events')).rejects.toThrow(/lacks the eventsAndFindings index .* move its data folder aside/);
  });

  it("reads the deployment's compliance rules from cdk.json", () => {
    expect(readComplianceRulesFromCdkJson().config).toEqual({ maxDurationMinutes: 720 });
  });
});
