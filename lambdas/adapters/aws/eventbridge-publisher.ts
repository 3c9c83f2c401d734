/**
 * The `EventSink` on EventBridge: PutEvents in requests of at most 10 entries whose sizes (as
 * EventBridge counts them) stay below 256 KB; entries a response reports as failed are sent again
 * with exponential back-off and jitter, a bounded number of times. What still fails is reported in
 * an `EventDeliveryError`, so the caller keeps those events (the sweep's outbox does) for later.
 *
 * The SDK's own retries cover a request that fails as a whole (throttling, 5xx); a response with
 * `FailedEntryCount > 0` is a success to the SDK, so retrying those entries is ours to do.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { sleep as realSleep } from '../../core/shared/concurrency';
import { batchBySize, entrySize } from '../../core/events/entry-size';
import { EVENT_SOURCE, type ArchiveEvent } from '../../core/events/event-types';
import { EventDeliveryError, type EventSink } from '../../core/events/ports';

export interface EventBridgePublisherOptions {
  client: EventBridgeClient;
  /** The bus name or ARN. */
  eventBusName: string;
  /** PutEvents calls per batch for its failed entries, the first one included. */
  maxAttempts?: number;
  /** Milliseconds to wait before retry number `retry` (1, 2, …). */
  backoffMs?: (retry: number) => number;
  /** Injected by tests, so back-off costs no real time there. */
  sleep?: (ms: number) => Promise<void>;
}

export interface EventBridgeClientOptions {
  region: string;
  /** A local endpoint (tests, the artifact test); the AWS endpoint of the region when absent. */
  endpoint?: string;
  maxAttempts?: number;
}

export const DEFAULT_PUT_EVENTS_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;

/** Full jitter (the AWS Architecture Blog's choice): spreads the retries of concurrent senders. */
export function jitteredBackoffMs(retry: number): number {
  return Math.floor(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retry));
}

export function createEventBridgeClient(options: EventBridgeClientOptions): EventBridgeClient {
  // A local endpoint checks no signature: dummy keys spare the user an AWS profile.
  const credentials = options.endpoint && !process.env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined;
  return new EventBridgeClient({ region: options.region, endpoint: options.endpoint, credentials, maxAttempts: options.maxAttempts ?? 3 });
}

interface PreparedEntry {
  id: string;
  entry: PutEventsRequestEntry;
  size: number;
}

export class EventBridgePublisher implements EventSink {
  /** PutEvents calls and entries: tests and logs read these. */
  readonly stats = { requests: 0, entriesSent: 0, entriesRetried: 0 };
  private readonly client: EventBridgeClient;
  private readonly eventBusName: string;
  private readonly maxAttempts: number;
  private readonly backoffMs: (retry: number) => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: EventBridgePublisherOptions) {
    this.client = options.client;
    this.eventBusName = options.eventBusName;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_PUT_EVENTS_ATTEMPTS;
    this.backoffMs = options.backoffMs ?? jitteredBackoffMs;
    this.sleep = options.sleep ?? realSleep;
  }

  async publish(events: readonly ArchiveEvent[]): Promise<void> {
    const undelivered = new Set<string>();
    let failure: unknown;
    for (const batch of batchBySize(events.map((event) => this.prepare(event)), (prepared) => prepared.size)) {
      // After one batch failed for good, EventBridge is unwell: the rest waits for the next try.
      if (failure !== undefined) {
        for (const prepared of batch) undelivered.add(prepared.id);
        continue;
      }
      try {
        const left = await this.sendBatch(batch);
        if (left.entries.length > 0) {
          for (const prepared of left.entries) undelivered.add(prepared.id);
          failure = new Error(`PutEvents kept failing entries after ${this.maxAttempts} attempts: ${left.errors.join(', ')}`);
        }
      } catch (error: unknown) {
        for (const prepared of batch) undelivered.add(prepared.id);
        failure = error;
      }
    }
    if (undelivered.size > 0) {
      const reason = failure instanceof Error ? failure.message : String(failure);
      throw new EventDeliveryError(`${undelivered.size} of ${events.length} events not delivered to ${this.eventBusName}: ${reason}`, undelivered, { cause: failure });
    }
  }

  private prepare(event: ArchiveEvent): PreparedEntry {
    const detail = JSON.stringify(event.detail);
    const entry: PutEventsRequestEntry = {
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: detail,
      Time: new Date(event.time),
      EventBusName: this.eventBusName,
    };
    return { id: event.id, entry, size: entrySize({ source: EVENT_SOURCE, detailType: event.detailType, detail, hasTime: true }) };
  }

  /** Sends one batch, then its failed entries again, up to maxAttempts. Returns what never got through. */
  private async sendBatch(batch: readonly PreparedEntry[]): Promise<{ entries: PreparedEntry[]; errors: string[] }> {
    let pending = [...batch];
    let errors: string[] = [];
    for (let attempt = 1; ; attempt++) {
      this.stats.requests++;
      this.stats.entriesSent += pending.length;
      const output = await this.client.send(new PutEventsCommand({ Entries: pending.map((prepared) => prepared.entry) }));
      if (!output.FailedEntryCount) return { entries: [], errors: [] };
      // Results come in request order; a failed one carries an ErrorCode instead of an EventId.
      const results = output.Entries ?? [];
      const failed: PreparedEntry[] = [];
      const codes = new Set<string>();
      pending.forEach((prepared, i) => {
        const result = results[i];
        if (result?.EventId !== undefined) return;
        failed.push(prepared);
        codes.add(result?.ErrorCode ?? 'no result');
      });
      errors = [...codes];
      if (failed.length === 0 || attempt >= this.maxAttempts) return { entries: failed, errors };
      this.stats.entriesRetried += failed.length;
      await this.sleep(this.backoffMs(attempt));
      pending = failed;
    }
  }
}
