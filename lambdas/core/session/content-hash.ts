import { createHash } from 'node:crypto';
import { observedFingerprint, type ObservedSession } from './session';

/** A short digest of a session's observed state: equal digests mean nothing to write. */
export function contentHash(session: ObservedSession): string {
  return createHash('sha256').update(observedFingerprint(session)).digest('base64url').slice(0, 22);
}
