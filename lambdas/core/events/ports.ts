/** Where the core sends events: EventBridge in Lambda, an in-process bus locally and in tests. */
import type { ArchiveEvent } from './event-types';

export interface EventSink {
  /**
   * Delivers every event or throws. An `EventDeliveryError` says which events did get through, so
   * the caller keeps only the others for later; any other error means none may have.
   */
  publish(events: readonly ArchiveEvent[]): Promise<void>;
}

/** Some events could not be delivered after the sink's retries; `undeliveredIds` are their `id`s. */
export class EventDeliveryError extends Error {
  override readonly name = 'EventDeliveryError';
  constructor(
    message: string,
    readonly undeliveredIds: ReadonlySet<string>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An event that cannot fit EventBridge's entry limit even after trimming its optional text. */
export class EventTooLargeError extends Error {
  override readonly name = 'EventTooLargeError';
}
