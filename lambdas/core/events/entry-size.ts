/**
 * EventBridge's PutEvents limits, measured the way EventBridge measures them
 * (docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html): 14 bytes for `Time`
 * when given, plus the UTF-8 bytes of `Source`, `DetailType`, `Detail` and each of `Resources`.
 * The total of a request's entries must stay below 256 KB, and a request holds at most 10 entries.
 */
export const MAX_ENTRIES_PER_REQUEST = 10;
/** "Less than 256 KB": the largest allowed total is one byte below. */
export const MAX_REQUEST_ENTRY_BYTES = 256 * 1024 - 1;
const TIME_BYTES = 14;

export interface SizedEntry {
  source: string;
  detailType: string;
  detail: string;
  /** Whether the entry carries `Time`. */
  hasTime: boolean;
  resources?: readonly string[];
}

export function entrySize(entry: SizedEntry): number {
  let size = entry.hasTime ? TIME_BYTES : 0;
  size += utf8Bytes(entry.source) + utf8Bytes(entry.detailType) + utf8Bytes(entry.detail);
  for (const resource of entry.resources ?? []) size += utf8Bytes(resource);
  return size;
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Cuts items into requests of at most `maxEntries` whose sizes add up to at most `maxBytes`,
 * keeping their order. An item larger than `maxBytes` on its own is a caller's bug: it throws.
 */
export function batchBySize<T>(items: readonly T[], sizeOf: (item: T) => number, maxEntries = MAX_ENTRIES_PER_REQUEST, maxBytes = MAX_REQUEST_ENTRY_BYTES): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (size > maxBytes) throw new RangeError(`an entry of ${size} bytes exceeds the ${maxBytes}-byte limit`);
    if (current.length === maxEntries || currentBytes + size > maxBytes) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
