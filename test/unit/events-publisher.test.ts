/**
 * The EventBridge publisher against PutEvents partial failures (FailedEntryCount > 0), which no
 * local stand-in produces for real: aws-sdk-client-mock answers in EventBridge's place. Back-off
 * is injected, so retries take no real time. (The happy path runs over HTTP through the real SDK
 * in test/integration/events-pipeline.test.ts.)
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../lambdas/adapters/aws/eventbridge-publisher';
import { entrySize, MAX_REQUEST_ENTRY_BYTES } from '../../lambdas/core/events/entry-size';
import { DETAIL_TYPE, type ArchiveEvent } from '../../lambdas/core/events/event-types';
import { EventDeliveryError } from '../../lambdas/core/events/ports';

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

function events(count: number, detailBytes = 20): ArchiveEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `event-${i}`,
    detailType: DETAIL_TYPE.sessionArchived,
    time: '2026-01-15T10:05:00.000Z',
    detail: { version: 1, eventId: `event-${i}`, padding: 'p'.repeat(detailBytes) },
  }));
}

const idOf = (entry: { Detail?: string }) => (JSON.parse(entry.Detail ?? '{}') as { eventId: string }).eventId;

/** EventBridge that fails each entry the first `failuresPerEntry` times it sees it; records every request. */
function flakyEventBridge(failuresPerEntry: (id: string) => number) {
  const seen = new Map<string, number>();
  const requests: string[][] = [];
  const delivered: string[] = [];
  eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
    const entries = input.Entries ?? [];
    requests.push(entries.map(idOf));
    const results: PutEventsResultEntry[] = entries.map((entry) => {
      const id = idOf(entry);
      const attempt = (seen.get(id) ?? 0) + 1;
      seen.set(id, attempt);
      if (attempt <= failuresPerEntry(id)) return { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' };
      delivered.push(id);
      return { EventId: `eb-${id}-${attempt}` };
    });
    return { FailedEntryCount: results.filter((result) => result.ErrorCode).length, Entries: results };
  });
  return { requests, delivered };
}

function publisher(waits: number[] = [], maxAttempts?: number): EventBridgePublisher {
  return new EventBridgePublisher({
    client: new EventBridgeClient({ region: 'eu-west-1' }),
    eventBusName: 'session-archive',
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
    backoffMs: (retry) => 100 * 2 ** retry,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
}

describe('EventBridgePublisher', () => {
  it('retries exactly the failed entries until every event is delivered, once each', async () => {
    const bus = flakyEventBridge((id) => (Number(id.split('-')[1]) % 3 === 0 ? 2 : 0));
    const waits: number[] = [];
    await publisher(waits).publish(events(25));
    expect([...bus.delivered].sort()).toEqual(events(25).map((event) => event.id).sort());
    expect(new Set(bus.delivered).size).toBe(25);
    // 3 first requests (10, 10, 5), then each batch's failed entries again, twice.
    expect(bus.requests.map((ids) => ids.length)).toEqual([10, 4, 4, 10, 3, 3, 5, 2, 2]);
    expect(bus.requests[1]).toEqual(['event-0', 'event-3', 'event-6', 'event-9']);
    // Exponential back-off between the retries of a batch.
    expect(waits).toEqual([200, 400, 200, 400, 200, 400]);
  });

  it('sends at most 10 entries and less than 256 KB per request', async () => {
    const bus = flakyEventBridge(() => 0);
    const big = events(12, 60_000);
    await publisher().publish(big);
    const sizes = eventBridge.commandCalls(PutEventsCommand).map((call) =>
      (call.args[0].input.Entries ?? []).reduce(
        (sum, entry) => sum + entrySize({ source: entry.Source ?? '', detailType: entry.DetailType ?? '', detail: entry.Detail ?? '', hasTime: entry.Time !== undefined }),
        0,
      ),
    );
    for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_REQUEST_ENTRY_BYTES);
    expect(bus.requests.map((ids) => ids.length)).toEqual([4, 4, 4]);
  });

  it('puts every entry on the bus with source, detail type, detail and time', async () => {
    flakyEventBridge(() => 0);
    await publisher().publish(events(1));
    const [entry] = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entry).toEqual({
      Source: 'session-archive',
      DetailType: 'Session Archived',
      Detail: JSON.stringify(events(1)[0]?.detail),
      Time: new Date('2026-01-15T10:05:00.000Z'),
      EventBusName: 'session-archive',
    });
  });

  it('gives up after its attempts and names exactly the undelivered events, so the caller keeps them', async () => {
    const bus = flakyEventBridge((id) => (id === 'event-4' ? Number.POSITIVE_INFINITY : 0));
    const attempt = publisher([], 3).publish(events(15));
    const error = await attempt.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EventDeliveryError);
    // event-4 failed for good in the first batch; the second batch was not tried (EventBridge is unwell).
    expect([...(error as EventDeliveryError).undeliveredIds].sort()).toEqual(['event-10', 'event-11', 'event-12', 'event-13', 'event-14', 'event-4']);
    expect((error as EventDeliveryError).message).toMatch(/6 of 15 events not delivered to session-archive: .*3 attempts: InternalFailure/);
    expect(bus.requests).toEqual([events(10).map((event) => event.id), ['event-4'], ['event-4']]);
  });

  it("reports every event of a request that failed as a whole (after the SDK's own retries) as undelivered", async () => {
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('User is not authorized to perform: events:PutEvents'), { name: 'AccessDeniedException' }));
    const error = await publisher()
      .publish(events(3))
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(EventDeliveryError);
    expect([...(error as EventDeliveryError).undeliveredIds].sort()).toEqual(['event-0', 'event-1', 'event-2']);
    expect((error as EventDeliveryError).cause).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('sends nothing for no events', async () => {
    flakyEventBridge(() => 0);
    await publisher().publish([]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
