/**
 * `GET /sessions/{sessionId}`. Session ids are unique per source scope; should two scopes (say,
 * one account swept under two source names) hold the same id, the first by scope key is returned.
 */
import type { SessionRecord } from '../session/session';
import { BadRequestError, SessionNotFoundError } from './errors';
import type { SessionLookup } from './ports';
import { isWellFormedUnicode } from './unicode';

/** DescribeSessions' own limit on a session id. */
export const MAX_SESSION_ID_LENGTH = 96;

export async function getSession(sessionId: string, lookup: SessionLookup): Promise<SessionRecord> {
  if (sessionId.length === 0 || sessionId.length > MAX_SESSION_ID_LENGTH || !isWellFormedUnicode(sessionId)) {
    throw new BadRequestError('InvalidParameter', `path parameter 'sessionId' must be 1–${MAX_SESSION_ID_LENGTH} characters of well-formed Unicode`);
  }
  const [first] = await lookup.findSession(sessionId);
  if (!first) throw new SessionNotFoundError(sessionId);
  return first;
}
