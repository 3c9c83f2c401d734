/**
 * The `Session Archived` event of one stored session state. Its id is `<sessionId>#<contentHash>`:
 * the state, not the publication, so a repeat (see docs/events.md, "Delivery") is recognisable.
 *
 * The entry must stay below EventBridge's 256 KB. SSM's own limits keep a session far below that,
 * but should one ever not fit, `details` and then `reason` are shortened (and listed in
 * `truncated`) rather than the event being dropped: the full record stays in the archive.
 */
import { isFinalStatus, type SessionRecord } from '../session/session';
import type { SessionArchivedDetail } from './detail-schemas';
import { TRIMMABLE_SESSION_FIELDS } from './detail-schemas';
import { entrySize, MAX_REQUEST_ENTRY_BYTES } from './entry-size';
import { DETAIL_TYPE, EVENT_SCHEMA_VERSION, EVENT_SOURCE, type ArchiveEvent } from './event-types';
import { EventTooLargeError } from './ports';

export function sessionEventId(sessionId: string, contentHash: string): string {
  return `${sessionId}#${contentHash}`;
}

export function sessionArchivedEvent(record: SessionRecord, contentHash: string, maxEntryBytes = MAX_REQUEST_ENTRY_BYTES): ArchiveEvent {
  const eventId = sessionEventId(record.sessionId, contentHash);
  const detail: SessionArchivedDetail = { version: EVENT_SCHEMA_VERSION, eventId, contentHash, final: isFinalStatus(record.status), session: { ...record } };
  return { id: eventId, detailType: DETAIL_TYPE.sessionArchived, time: record.lastSeenAt, detail: fitDetail(detail, maxEntryBytes) };
}

/** The size of the entry this detail makes, as EventBridge counts it (with `Time`). */
export function sessionEntrySize(detail: SessionArchivedDetail): number {
  return entrySize({ source: EVENT_SOURCE, detailType: DETAIL_TYPE.sessionArchived, detail: JSON.stringify(detail), hasTime: true });
}

function fitDetail(detail: SessionArchivedDetail, maxEntryBytes: number): SessionArchivedDetail {
  if (sessionEntrySize(detail) <= maxEntryBytes) return detail;
  let fitted = detail;
  for (const field of TRIMMABLE_SESSION_FIELDS) {
    const text = fitted.session[field];
    if (text === undefined) continue;
    const truncated = [...(fitted.truncated ?? []), field];
    const withText = (length: number): SessionArchivedDetail => {
      const session = { ...fitted.session };
      if (length > 0) session[field] = takeCodePoints(text, length);
      else delete session[field];
      return { ...fitted, session, truncated };
    };
    // The longest prefix that fits, by binary search over code points (JSON escaping is not linear).
    const codePoints = [...text].length;
    let low = 0;
    let high = codePoints;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (sessionEntrySize(withText(middle)) <= maxEntryBytes) low = middle;
      else high = middle - 1;
    }
    fitted = withText(low);
    if (sessionEntrySize(fitted) <= maxEntryBytes) return fitted;
  }
  throw new EventTooLargeError(`the Session Archived event of ${detail.session.sessionId} does not fit ${maxEntryBytes} bytes even without details and reason`);
}

function takeCodePoints(text: string, count: number): string {
  return [...text].slice(0, count).join('');
}
