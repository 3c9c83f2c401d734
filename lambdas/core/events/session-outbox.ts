/**
 * Exactly one `Session Archived` per stored state, with no transactions: a transactional outbox
 * on the record itself.
 *
 * 1. The conditional UpdateItem that stores a changed state also marks the record as owing its
 *    event and claims it for this sweep (`eventClaim`): both or neither. Only the sweep whose write
 *    changed the record gets it back, so two racing sweeps never both own a state.
 * 2. Right after the page is stored, the sweep publishes the owed events and clears each mark,
 *    conditionally on the record still holding that state under its claim.
 * 3. A sweep killed between 1 and 2 leaves marks behind; so does a failed delivery (then the claim
 *    is released). Every sweep first drains its scope's marks: claims each one whose claim lapsed
 *    (a conditional write, so a live publisher is never doubled), publishes, clears.
 * 4. A write that replaces a state whose mark is still there (its sweep died within the claim's
 *    lifetime) gets that state back from the store and announces it too.
 *
 * Left over (docs/events.md, "Delivery"): killed after EventBridge accepted the events and before
 * the marks were cleared, the next drain publishes them again with the same `eventId`; and a
 * replaced state from 4 is lost if EventBridge refuses exactly that delivery (logged).
 */
import { randomUUID } from 'node:crypto';
import { mapWithConcurrency } from '../shared/concurrency';
import { contentHash } from '../session/content-hash';
import type { ArchiveStore, ArchiveWriteOptions, Clock, ClaimedRecord, CoreLogger } from '../sweep/ports';
import { scopeKey, type SessionRecord, type SourceScope } from '../session/session';
import { toIso } from '../shared/time';
import { EventDeliveryError, type EventSink } from './ports';
import { sessionArchivedEvent } from './session-archived';
import type { SessionEventCounts } from './sweep-events';

/**
 * A claim covers one page: its write, the PutEvents calls and the clears, seconds in practice. A
 * sweep killed in between leaves claims that lapse this long after the write, well before the next
 * scheduled sweep, which then drains them first.
 */
export const DEFAULT_EVENT_CLAIM_MS = 5 * 60_000;
/** Mark updates in flight at once. */
const CLEAR_CONCURRENCY = 16;

export interface SessionEventOutboxOptions {
  store: ArchiveStore;
  sink: EventSink;
  scope: SourceScope;
  clock: Clock;
  logger: CoreLogger;
  claimMs?: number;
}

export class SessionEventOutbox {
  readonly counts: SessionEventCounts = { published: 0, undelivered: 0 };
  /** This sweep's name on its claims. */
  readonly owner: string;
  private readonly claimMs: number;
  /** Set after a delivery failed: EventBridge is unwell, later pages leave their events for the next sweep. */
  private deliveryFailed = false;

  constructor(private readonly options: SessionEventOutboxOptions) {
    this.claimMs = options.claimMs ?? DEFAULT_EVENT_CLAIM_MS;
    this.owner = `${scopeKey(options.scope)}@${toIso(options.clock.now())}#${randomUUID().slice(0, 8)}`;
  }

  /** What `archiveSessions` needs to mark and claim the records it writes. */
  writeOptions(): ArchiveWriteOptions {
    // After a failed delivery the marks are left unclaimed (lapsed at once): the next drain takes them.
    const until = this.deliveryFailed ? 0 : this.options.clock.now() + this.claimMs;
    return { eventClaim: { owner: this.owner, until } };
  }

  /**
   * Publishes the events of records this sweep just wrote under its claim, then clears their marks;
   * and the events of states those writes replaced while they were still owed (`superseded`).
   */
  async publishWritten(records: readonly SessionRecord[], superseded: readonly ClaimedRecord[] = []): Promise<void> {
    if (superseded.length > 0) await this.publishSuperseded(superseded);
    if (this.deliveryFailed) {
      this.counts.undelivered += records.length;
      return;
    }
    await this.publishClaimed(records.map((record) => ({ record, contentHash: contentHash(record) })));
  }

  /**
   * Publishes what earlier sweeps left owed in this scope, page by page, until the outbox is empty,
   * time runs out, or a delivery fails. Returns false when it stopped early.
   *
   * A failure here never stops the sweep: archiving comes first, and the owed events stay in the
   * archive for the next drain. (Right after the upgrade that adds the outbox index, DynamoDB
   * refuses queries on it until its backfill ends.)
   */
  async drain(outOfTime: () => boolean): Promise<boolean> {
    const { store, scope, clock, logger } = this.options;
    try {
      for await (const refs of store.listPendingEvents(scope)) {
        if (outOfTime() || this.deliveryFailed) return false;
        const until = clock.now() + this.claimMs;
        const claimed = await mapWithConcurrency(refs, CLEAR_CONCURRENCY, (ref) =>
          store.claimPendingEvent(scope, ref.sessionId, { owner: this.owner, until }, clock.now()),
        );
        const mine = claimed.filter((entry): entry is ClaimedRecord => entry !== undefined);
        if (mine.length > 0) {
          logger.info('publishing events earlier sweeps left owed', { count: mine.length });
          await this.publishClaimed(mine);
        }
      }
    } catch (error: unknown) {
      logger.warn('could not publish the events earlier sweeps left owed; the next sweep tries again', {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return false;
    }
    return !this.deliveryFailed;
  }

  /**
   * A state a sweep stored and died before announcing, replaced since by a newer one: its mark went
   * with it, so this is its only chance. Should its owner still be alive (two sweeps racing on one
   * session), it is announced twice, with the same eventId.
   */
  private async publishSuperseded(superseded: readonly ClaimedRecord[]): Promise<void> {
    const events = superseded.map(({ record, contentHash: hash }) => sessionArchivedEvent(record, hash));
    try {
      await this.options.sink.publish(events);
      this.counts.published += events.length;
    } catch (error: unknown) {
      const lost = error instanceof EventDeliveryError ? events.filter((event) => error.undeliveredIds.has(event.id)) : events;
      this.counts.published += events.length - lost.length;
      this.counts.undelivered += lost.length;
      this.deliveryFailed = true;
      this.options.logger.warn('Session Archived events of replaced states lost: EventBridge refused them and no outbox mark is left', {
        eventIds: lost.map((event) => event.id),
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }

  private async publishClaimed(claimed: readonly ClaimedRecord[]): Promise<void> {
    const { store, scope, sink, logger } = this.options;
    const owed = claimed.map((entry) => ({ ...entry, event: sessionArchivedEvent(entry.record, entry.contentHash) }));
    let undelivered: ReadonlySet<string> = new Set();
    try {
      await sink.publish(owed.map(({ event }) => event));
    } catch (error: unknown) {
      // Archiving must go on when EventBridge cannot take events: the marks keep them for later.
      undelivered = error instanceof EventDeliveryError ? error.undeliveredIds : new Set(owed.map(({ event }) => event.id));
      this.deliveryFailed = true;
      logger.warn('events not delivered; the next sweep publishes them', {
        undelivered: undelivered.size,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
    await mapWithConcurrency(owed, CLEAR_CONCURRENCY, async ({ record, contentHash: hash, event }) => {
      if (undelivered.has(event.id)) {
        this.counts.undelivered++;
        await store.releaseEventClaim(scope, record.sessionId, this.owner);
      } else {
        this.counts.published++;
        await store.clearPendingEvent(scope, record.sessionId, hash, this.owner);
      }
    });
  }
}
