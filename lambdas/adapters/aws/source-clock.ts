/**
 * The source's own clock, read from the `Date` header of its responses. Listings are planned in
 * the source's time: our clock may run minutes off, and a checkpoint in our time would then skip
 * sessions (ahead) or re-list them for ever (behind).
 *
 * The header has whole seconds and is stamped while the request is in flight, so the offset lies
 * in [Date − receivedAt, Date − sentAt + 1 s). When that interval holds 0 the clocks agree as far
 * as the header can tell; otherwise its lower bound is taken, so the source's "now" is never
 * overestimated by more than the header's resolution, and the sweep's margin absorbs that.
 */
import type { Clock } from '../../core/sweep/ports';

export interface SourceClock {
  /** Source time minus our time in ms, from the latest response with a Date header. */
  offsetMs(): number | undefined;
}

/** The slice of an SDK client's middleware stack this needs; any SDK v3 client has it. */
interface StackLike {
  add(middleware: (next: Handler) => Handler, options: { step: 'deserialize'; name: string }): void;
}
type Handler = (args: unknown) => Promise<{ response: unknown; output: unknown }>;

const trackers = new WeakMap<object, { clock: Clock; offset?: number }>();

/** One tracker per client; `clock` is the one the sweep plans with (tests pass a manual clock). */
export function sourceClockOf(client: { middlewareStack: object }, clock: Clock): SourceClock {
  let tracker = trackers.get(client);
  if (!tracker) {
    const created: { clock: Clock; offset?: number } = { clock };
    tracker = created;
    trackers.set(client, created);
    (client.middlewareStack as StackLike).add(
      (next) => async (args) => {
        const sentAt = created.clock.now();
        const result = await next(args);
        const date = dateHeaderOf(result.response);
        if (date !== undefined) created.offset = offsetWithin(date - created.clock.now(), date - sentAt + 1_000);
        return result;
      },
      { step: 'deserialize', name: 'sessionArchiveSourceClock' },
    );
  }
  tracker.clock = clock;
  const held = tracker;
  return { offsetMs: () => held.offset };
}

/** The offset from a Date header `date` stamped between `sentAt` and `receivedAt` (our clock, ms). */
export function offsetFromDate(date: number, sentAt: number, receivedAt: number): number {
  return offsetWithin(date - receivedAt, date - sentAt + 1_000);
}

function offsetWithin(lower: number, upper: number): number {
  return lower <= 0 && upper > 0 ? 0 : lower;
}

function dateHeaderOf(response: unknown): number | undefined {
  if (typeof response !== 'object' || response === null || !('headers' in response)) return undefined;
  const headers = (response as { headers: Record<string, string | undefined> }).headers;
  const value = headers.date ?? headers.Date;
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
