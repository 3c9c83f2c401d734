/**
 * Exactly one `Session Archived` per stored state, counted: the real sweep against the SSM
 * emulator and dynalite, publishing to the in-process bus, with the compliance check subscribed as
 * in the deployed stack. Ground truth is every state the store reports it wrote (a recording
 * wrapper under the killers), so a state written by a sweep that was then killed counts too.
 *
 * Kill points: between pages (the dying source), half-way through a page's writes (the dying
 * store), and after EventBridge took the events but before their outbox marks were cleared — the
 * one window that publishes twice, where the same eventId lets consumers (and the compliance
 * check) drop the repeat.
 */
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { parseComplianceRules } from '../../lambdas/core/compliance/rules';
import { contentHash } from '../../lambdas/core/session/content-hash';
import { sessionArchivedDetailSchema, sweepCompletedDetailSchema } from '../../lambdas/core/events/detail-schemas';
import { DETAIL_TYPE, type ArchiveEvent } from '../../lambdas/core/events/event-types';
import { EventDeliveryError, type EventSink } from '../../lambdas/core/events/ports';
import type { ArchiveStore, SessionSource } from '../../lambdas/core/sweep/ports';
import type { ObservedSession } from '../../lambdas/core/session/session';
import { sweep, type SweepSummary } from '../../lambdas/core/sweep/sweep';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lambdas/core/shared/time';
import { wireLocalEvents, type LocalEvents } from '../../local/in-process-bus';
import { delegate, dyingAfter, KilledError, storeDyingAt, storeDyingBeforeClear } from '../support/killers';
import { ACCOUNT_ID, diffArchive, REGION, startSweepRig, type SweepRig } from '../support/sweep-harness';

const t0 = Date.UTC(2026, 4, 1);
/** Pages of this many sessions: many pages (and kill points) from a small archive. */
const PAGE = 40;
/** About 6% of the emulator's sessions use it: a few findings per archive. */
const RULES = parseComplianceRules({ forbiddenDocuments: ['AWS-StartInteractiveCommand'] });

interface EventsRig {
  rig: SweepRig;
  local: LocalEvents;
  /** Every state the store wrote, `<sessionId>#<contentHash>`, in order. */
  written: string[];
  /** The archive store, recording what it writes. */
  store: ArchiveStore;
  sweep(options?: { source?: SessionSource; store?: ArchiveStore; sink?: EventSink }): Promise<SweepSummary>;
}

/** The real source's pages (DescribeSessions returns up to 200), handed on in pages of `size`. */
function smallPages(source: SessionSource, size = PAGE): SessionSource {
  const rechunk = (pages: AsyncIterable<ObservedSession[]>): AsyncIterable<ObservedSession[]> => ({
    async *[Symbol.asyncIterator]() {
      for await (const page of pages) for (let i = 0; i < page.length; i += size) yield page.slice(i, i + size);
    },
  });
  return {
    scope: source.scope,
    historyRetentionMs: source.historyRetentionMs,
    listActive: () => rechunk(source.listActive()),
    listHistory: (query) => rechunk(source.listHistory(query)),
    listHistoryPages: (query, token) => ({
      async *[Symbol.asyncIterator]() {
        // A part of a page resumes by listing its page again: it carries the token that page was asked with.
        let pageToken = token;
        for await (const page of source.listHistoryPages(query, token)) {
          for (let i = 0; i < page.sessions.length || i === 0; i += size) {
            const last = i + size >= page.sessions.length;
            const part = page.sessions.slice(i, i + size);
            yield last ? { sessions: part, ...(page.nextToken ? { nextToken: page.nextToken } : {}) } : { sessions: part, ...(pageToken ? { nextToken: pageToken } : {}) };
          }
          pageToken = page.nextToken;
        }
      },
    }),
    sourceClockOffsetMs: () => source.sourceClockOffsetMs(),
  };
}

async function startEventsRig(): Promise<EventsRig> {
  const rig = await startSweepRig({ startMs: t0 });
  const local = wireLocalEvents({ documents: DynamoDBDocumentClient.from(rig.dynamo), tableName: rig.tableName, rules: RULES, accountId: ACCOUNT_ID, region: REGION, clock: rig.clock });
  const written: string[] = [];
  const store: ArchiveStore = {
    ...delegate(rig.store),
    archiveSessions: async (scope, sessions, now, options) => {
      const outcome = await rig.store.archiveSessions(scope, sessions, now, options);
      for (const record of outcome.written) written.push(`${record.sessionId}#${contentHash(record)}`);
      return outcome;
    },
  };
  return {
    rig,
    local,
    written,
    store,
    sweep: async (options = {}) => {
      const summary = await sweep({ source: options.source ?? smallPages(rig.source()), store: options.store ?? store, clock: rig.clock, events: options.sink ?? local.sink });
      await local.settled();
      return summary;
    },
  };
}

function eventsOfType(local: LocalEvents, detailType: string): unknown[] {
  return local.bus.events.filter((event) => event['detail-type'] === detailType).map((event) => event.detail);
}

function archivedEventIds(local: LocalEvents): string[] {
  return eventsOfType(local, DETAIL_TYPE.sessionArchived).map((detail) => z.parse(sessionArchivedDetailSchema, detail).eventId);
}

/** Each written state once, and only those (the states are all different: SSM never goes back). */
function expectExactlyOnce(events: EventsRig): void {
  expect(new Set(events.written).size).toBe(events.written.length);
  expect(archivedEventIds(events.local).sort()).toEqual([...events.written].sort());
}

async function pendingInOutbox(events: EventsRig): Promise<number> {
  let count = 0;
  for await (const page of events.rig.store.listPendingEvents(events.rig.source().scope)) count += page.length;
  return count;
}

/** Findings in the table, by a Scan (a test's ground truth). */
async function storedFindings(events: EventsRig): Promise<string[]> {
  const documents = DynamoDBDocumentClient.from(events.rig.dynamo);
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: events.rig.tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) if (String(item.pk).startsWith('FINDING#')) ids.push(String(item.findingId));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ids.sort();
}

/** One finding per archived session that used the forbidden document, one event each. */
async function expectFindingsOnce(events: EventsRig): Promise<void> {
  const expected = (await events.rig.archived())
    .filter((record) => record.documentName === 'AWS-StartInteractiveCommand')
    .map((record) => `ssm#${ACCOUNT_ID}#${REGION}#${record.sessionId}#forbidden-document`)
    .sort();
  expect(expected.length).toBeGreaterThan(0);
  expect(await storedFindings(events)).toEqual(expected);
  const findingEvents = eventsOfType(events.local, DETAIL_TYPE.complianceFinding).map((detail) => (detail as { finding: { findingId: string } }).finding.findingId);
  expect(findingEvents.sort()).toEqual(expected);
  expect(events.local.bus.deadLetters).toEqual([]);
}

describe('Session Archived, exactly once per stored state', () => {
  let events: EventsRig | undefined;
  afterEach(async () => {
    await events?.rig.close();
    events = undefined;
  });

  it('across re-sweeps of sessions that open, change and end, with SSM throttling and errors', async () => {
    events = await startEventsRig();
    const { rig } = events;
    rig.emulator.generateSessions({ count: 150, seed: 41, fromMs: t0 - 10 * DAY_MS, toMs: t0 + 2 * DAY_MS, openFraction: 0.15 });
    rig.emulator.setFaults({ seed: 5, throttleRate: 0.2, errorRate: 0.2, operations: ['DescribeSessions'] });
    const summaries: SweepSummary[] = [];
    for (let hours = 0; hours <= 48; hours += 12) {
      rig.clock.set(t0 + hours * HOUR_MS);
      summaries.push(await events.sweep());
    }
    rig.emulator.setFaults(undefined);
    rig.clock.set(t0 + 3 * DAY_MS);
    summaries.push(await events.sweep());
    expect(rig.emulator.stats.faultsInjected).toBeGreaterThan(5);
    expect(await diffArchive(rig)).toEqual([]);

    expectExactlyOnce(events);
    // Open sessions were archived open, then again when they ended: more states than sessions.
    expect(events.written.length).toBeGreaterThan((await rig.archived()).length);
    expect(summaries.reduce((sum, summary) => sum + (summary.sessionEvents?.published ?? 0), 0)).toBe(events.written.length);
    expect(await pendingInOutbox(events)).toBe(0);

    // A re-sweep with nothing new (same instant, so no session changed): no Session Archived, one
    // Sweep Completed that says so.
    const before = archivedEventIds(events.local).length;
    await events.sweep();
    expect(archivedEventIds(events.local).length).toBe(before);
    const completed = eventsOfType(events.local, DETAIL_TYPE.sweepCompleted).map((detail) => z.parse(sweepCompletedDetailSchema, detail));
    expect(completed).toHaveLength(summaries.length + 1);
    expect(completed[completed.length - 1]).toMatchObject({ complete: true, sessionsWritten: 0, sessionEvents: { published: 0, undelivered: 0 } });
    await expectFindingsOnce(events);
  });

  it('when a sweep is killed between pages, for every page', async () => {
    let killed = 0;
    for (let k = 0; ; k++) {
      events = await startEventsRig();
      const { rig } = events;
      rig.emulator.generateSessions({ count: 90, seed: 8, fromMs: t0 - 20 * DAY_MS, toMs: t0 + HOUR_MS, openFraction: 0.1 });
      const outcome = await events.sweep({ source: dyingAfter(smallPages(rig.source()), k) }).then(
        () => 'completed' as const,
        (error: unknown) => (error instanceof KilledError ? ('killed' as const) : Promise.reject(error)),
      );
      if (outcome === 'killed') {
        killed++;
        // Every page the killed sweep stored was published before the next one was fetched.
        expect(await pendingInOutbox(events)).toBe(0);
        rig.clock.advance(2 * HOUR_MS);
        expect((await events.sweep()).complete).toBe(true);
      }
      expect(await diffArchive(rig)).toEqual([]);
      expectExactlyOnce(events);
      await expectFindingsOnce(events);
      await rig.close();
      events = undefined;
      if (outcome === 'completed') break;
    }
    expect(killed).toBeGreaterThanOrEqual(3);
  });

  it('when a sweep is killed half-way through writing a page: the outbox keeps the written half, the next sweep publishes it', async () => {
    let supersededAndAnnounced = 0;
    for (const page of [0, 2]) {
      events = await startEventsRig();
      const { rig } = events;
      rig.emulator.generateSessions({ count: 150, seed: 30 + page, fromMs: t0 - 10 * DAY_MS, toMs: t0, openFraction: 0.2 });
      await expect(events.sweep({ store: storeDyingAt(events.store, page) })).rejects.toThrow(KilledError);
      const owed = await pendingInOutbox(events);
      expect(owed).toBeGreaterThan(0);
      // Written, not yet announced.
      expect(archivedEventIds(events.local).length).toBe(events.written.length - owed);

      // A sweep while the dead sweep's claims still hold leaves those events alone (no double
      // publish), except where a session changed meanwhile: the new write replaced the owed
      // state, and the writer announces that one too.
      rig.clock.advance(5 * MINUTE_MS);
      const writtenBefore = events.written.length;
      const early = await events.sweep();
      supersededAndAnnounced += (early.sessionEvents?.published ?? 0) - (events.written.length - writtenBefore);
      expect(await pendingInOutbox(events)).toBeGreaterThan(0);
      expect(new Set(archivedEventIds(events.local)).size).toBe(archivedEventIds(events.local).length);

      // Once the claim lapsed, the next sweep drains them first.
      rig.clock.advance(HOUR_MS);
      expect((await events.sweep()).complete).toBe(true);
      expect(await pendingInOutbox(events)).toBe(0);
      expect(await diffArchive(rig)).toEqual([]);
      expectExactlyOnce(events);
      await expectFindingsOnce(events);
      await rig.close();
      events = undefined;
    }
    // The page-0 kill (Active: open sessions) left states that ended within those 5 minutes.
    expect(supersededAndAnnounced).toBeGreaterThan(0);
  });

  it('when the outbox index cannot be read yet (being built after the upgrade): sweeps archive and publish anyway', async () => {
    events = await startEventsRig();
    const { rig } = events;
    rig.emulator.generateSessions({ count: 120, seed: 19, fromMs: t0 - 10 * DAY_MS, toMs: t0, openFraction: 0.1 });
    await expect(events.sweep({ store: storeDyingAt(events.store, 1) })).rejects.toThrow(KilledError);
    const owed = await pendingInOutbox(events);
    expect(owed).toBeGreaterThan(0);

    const backfilling: ArchiveStore = {
      ...events.store,
      listPendingEvents: () => ({
        async *[Symbol.asyncIterator]() {
          throw Object.assign(new Error('Cannot read from backfilling global secondary index: eventsAndFindings'), { name: 'ValidationException' });
        },
      }),
    };
    rig.clock.advance(HOUR_MS);
    const summary = await events.sweep({ store: backfilling });
    expect(summary.complete).toBe(true);
    expect(summary.sessionEvents?.undelivered).toBe(0);
    expect(await diffArchive(rig)).toEqual([]);
    expect(await pendingInOutbox(events)).toBe(owed);

    // Once the index answers, the next sweep delivers what was owed.
    rig.clock.advance(15 * MINUTE_MS);
    await events.sweep();
    expect(await pendingInOutbox(events)).toBe(0);
    expectExactlyOnce(events);
  });

  it('when a sweep is killed after publishing and before clearing: the repeat carries the same eventId, and no finding is doubled', async () => {
    events = await startEventsRig();
    const { rig } = events;
    rig.emulator.generateSessions({ count: 150, seed: 12, fromMs: t0 - 10 * DAY_MS, toMs: t0, openFraction: 0.05 });
    await expect(events.sweep({ store: storeDyingBeforeClear(events.store, 70) })).rejects.toThrow(KilledError);
    rig.clock.advance(HOUR_MS);
    expect((await events.sweep()).complete).toBe(true);
    expect(await pendingInOutbox(events)).toBe(0);

    const ids = archivedEventIds(events.local);
    const repeats = ids.length - new Set(ids).size;
    // The page whose clears the kill cut short is published again by the next sweep's drain…
    expect(repeats).toBeGreaterThanOrEqual(1);
    expect(repeats).toBeLessThanOrEqual(PAGE);
    // …with the same eventId: dropping repeats by eventId gives exactly one per state.
    expect([...new Set(ids)].sort()).toEqual([...events.written].sort());
    // The compliance check saw those repeats too, and wrote and announced each finding once.
    await expectFindingsOnce(events);
  });

  it('when EventBridge refuses events: the sweep archives anyway, and the next one delivers what is owed, once', async () => {
    events = await startEventsRig();
    const { rig, local } = events;
    rig.emulator.generateSessions({ count: 150, seed: 77, fromMs: t0 - 10 * DAY_MS, toMs: t0 + DAY_MS, openFraction: 0.1 });
    let mode: 'down' | 'partial' | 'up' = 'down';
    const flaky: EventSink = {
      publish: async (batch: readonly ArchiveEvent[]) => {
        if (mode === 'down') throw new Error('EventBridge unavailable');
        // PutEvents partial failure: every third entry is refused after the publisher's retries.
        const refused = mode === 'partial' ? batch.filter((_, i) => i % 3 === 0) : [];
        await local.sink.publish(batch.filter((event) => !refused.includes(event)));
        if (refused.length > 0) throw new EventDeliveryError('some entries failed', new Set(refused.map((event) => event.id)));
      },
    };

    const down = await events.sweep({ sink: flaky });
    expect(down.complete).toBe(true);
    expect(down.sessionEvents).toEqual({ published: 0, undelivered: events.written.length });
    expect(await diffArchive(rig)).toEqual([]);
    expect(archivedEventIds(local)).toEqual([]);

    mode = 'partial';
    rig.clock.advance(15 * MINUTE_MS);
    const partial = await events.sweep({ sink: flaky });
    expect(partial.sessionEvents?.undelivered).toBeGreaterThan(0);
    expect(await pendingInOutbox(events)).toBeGreaterThan(0);

    // Claims of failed deliveries were released: the very next sweep may take them over.
    mode = 'up';
    rig.clock.advance(15 * MINUTE_MS);
    await events.sweep({ sink: flaky });
    rig.clock.set(t0 + 2 * DAY_MS);
    await events.sweep({ sink: flaky });
    expect(await pendingInOutbox(events)).toBe(0);
    expectExactlyOnce(events);
    await expectFindingsOnce(events);
  });

  it('when two sweeps race: each state is announced by the one sweep whose write stored it', async () => {
    events = await startEventsRig();
    const { rig } = events;
    rig.emulator.generateSessions({ count: 150, seed: 13, fromMs: t0 - 10 * DAY_MS, toMs: t0 + 2 * DAY_MS, openFraction: 0.15 });
    for (let step = 0; step < 5; step++) {
      rig.clock.set(t0 + step * 8 * HOUR_MS);
      // Separate SDK clients, as two Lambda invocations would have.
      await Promise.all([events.sweep({ source: smallPages(rig.source({ maxAttempts: 8 })) }), events.sweep({ source: smallPages(rig.source({ maxAttempts: 8 })) })]);
    }
    rig.clock.set(t0 + 3 * DAY_MS);
    await events.sweep();
    expect(await diffArchive(rig)).toEqual([]);
    expect(await pendingInOutbox(events)).toBe(0);
    expectExactlyOnce(events);
    await expectFindingsOnce(events);
  });
});
