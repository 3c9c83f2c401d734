/**
 * What DescribeTerminalSessions still holds: records created within the retention window (30
 * days from CreationTime) and, of those, at most the newest `recordCap` (1,000): the oldest drop
 * first. The cap counts every record, ended or not (Alibaba says "1,000 successful records";
 * which records count is not documented, and counting all is the stricter reading for a sweep).
 */
import { existsAt, type EmulatedTerminalSession } from './session-model';

export interface RetentionRules {
  retentionMs: number;
  recordCap: number;
}

export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_RECORD_CAP = 1000;

/** `newestFirst` must be sorted newest first; returns the retained ones, newest first. */
export function retainedAt(newestFirst: readonly EmulatedTerminalSession[], atMs: number, rules: RetentionRules): EmulatedTerminalSession[] {
  const kept: EmulatedTerminalSession[] = [];
  for (const session of newestFirst) {
    if (!existsAt(session, atMs)) continue;
    if (atMs - session.creationMs >= rules.retentionMs || kept.length >= rules.recordCap) break;
    kept.push(session);
  }
  return kept;
}

export function assertValidRules(rules: RetentionRules): void {
  if (!(rules.retentionMs > 0)) throw new RangeError('retention must be > 0');
  if (!Number.isInteger(rules.recordCap) || rules.recordCap < 1) throw new RangeError('recordCap must be a positive integer');
}
