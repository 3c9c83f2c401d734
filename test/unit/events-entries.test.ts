/**
 * The events as EventBridge will see them: sizes counted the way EventBridge counts them, requests
 * cut at 10 entries and 256 KB, oversized sessions trimmed (with a flag) rather than dropped, and
 * every detail the core builds valid against its documented schema.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { complianceFindingEvent } from '../../lambdas/core/compliance/finding-event';
import { toFinding } from '../../lambdas/core/compliance/finding';
import { contentHash } from '../../lambdas/core/session/content-hash';
import {
  complianceFindingDetailSchema,
  coverageGapDetailSchema,
  sessionArchivedDetailSchema,
  sweepCompletedDetailSchema,
} from '../../lambdas/core/events/detail-schemas';
import { batchBySize, entrySize, MAX_REQUEST_ENTRY_BYTES } from '../../lambdas/core/events/entry-size';
import { DETAIL_TYPE, type ArchiveEvent } from '../../lambdas/core/events/event-types';
import { EventTooLargeError } from '../../lambdas/core/events/ports';
import { sessionArchivedEvent, sessionEntrySize } from '../../lambdas/core/events/session-archived';
import { coverageGapEvents, sweepCompletedEvent } from '../../lambdas/core/events/sweep-events';
import type { SessionRecord } from '../../lambdas/core/session/session';
import type { SweepSummary } from '../../lambdas/core/sweep/sweep';

const record: SessionRecord = {
  sessionId: 'alice-0123456789abcdef0',
  target: 'i-0123456789abcdef0',
  status: 'Terminated',
  startDate: '2026-01-15T09:30:00.000Z',
  endDate: '2026-01-15T10:02:11.000Z',
  owner: 'arn:aws:sts::123456789012:assumed-role/OnCallResponder/alice',
  reason: 'Rotate TLS certificates (INC-20931)',
  accessType: 'Standard',
  accountId: '123456789012',
  region: 'eu-west-1',
  source: 'ssm',
  firstArchivedAt: '2026-01-15T10:05:00.000Z',
  lastSeenAt: '2026-01-15T10:05:00.000Z',
};

describe('entry size', () => {
  it('counts UTF-8 bytes of Source, DetailType, Detail and Resources, and 14 for Time', () => {
    // "ü" is 2 bytes, "🚀" 4: characters are not bytes.
    expect(entrySize({ source: 'ab', detailType: 'cd', detail: '"ü🚀"', hasTime: false })).toBe(2 + 2 + 8);
    expect(entrySize({ source: 'ab', detailType: 'cd', detail: '{}', hasTime: true, resources: ['arn:x', 'é'] })).toBe(14 + 2 + 2 + 2 + 5 + 2);
  });
});

describe('batches', () => {
  it('never exceed 10 entries or the byte limit, and keep every item in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 120_000 }), { maxLength: 60 }), (sizes) => {
        const batches = batchBySize(sizes, (size) => size);
        expect(batches.flat()).toEqual(sizes);
        for (const batch of batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(10);
          expect(batch.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(MAX_REQUEST_ENTRY_BYTES);
        }
      }),
    );
  });

  it('puts 25 small entries in requests of 10, 10 and 5', () => {
    expect(batchBySize(Array.from({ length: 25 }, () => 1), (size) => size).map((batch) => batch.length)).toEqual([10, 10, 5]);
  });

  it('refuses an item larger than the limit on its own', () => {
    expect(() => batchBySize([MAX_REQUEST_ENTRY_BYTES + 1], (size) => size)).toThrow(RangeError);
  });
});

describe('Session Archived', () => {
  it('has the state as its id: the same record always gives the same eventId', () => {
    const hash = contentHash(record);
    const event = sessionArchivedEvent(record, hash);
    expect(event).toMatchObject({ id: `${record.sessionId}#${hash}`, detailType: 'Session Archived', time: record.lastSeenAt });
    expect(sessionArchivedEvent({ ...record }, hash)).toEqual(event);
    expect(sessionArchivedEvent({ ...record, status: 'Connected' }, contentHash({ ...record, status: 'Connected' })).id).not.toBe(event.id);
  });

  it('is valid against its schema, with final set for a final status only', () => {
    const final = sessionArchivedEvent(record, contentHash(record)).detail;
    expect(z.parse(sessionArchivedDetailSchema, final)).toMatchObject({ version: 1, final: true, session: record });
    const open = { ...record, status: 'Connected' };
    delete open.endDate;
    expect(z.parse(sessionArchivedDetailSchema, sessionArchivedEvent(open, contentHash(open)).detail).final).toBe(false);
  });

  it('shortens details, then reason, to fit the entry limit, and says so; the rest is untouched', () => {
    const huge = { ...record, details: 'd'.repeat(300_000), reason: 'r'.repeat(100) };
    const detail = z.parse(sessionArchivedDetailSchema, sessionArchivedEvent(huge, 'h').detail);
    expect(detail.truncated).toEqual(['details']);
    expect(detail.session.reason).toBe(huge.reason);
    expect(huge.details.startsWith(detail.session.details ?? '')).toBe(true);
    expect(sessionEntrySize(detail)).toBeLessThanOrEqual(MAX_REQUEST_ENTRY_BYTES);
    // As long as fits: one character more would not.
    expect(sessionEntrySize({ ...detail, session: { ...detail.session, details: `${detail.session.details}d` } })).toBeGreaterThan(MAX_REQUEST_ENTRY_BYTES);
  });

  it('drops details entirely and shortens reason when both are large, counting multi-byte characters as EventBridge does', () => {
    const limit = 2_000;
    const detail = z.parse(sessionArchivedDetailSchema, sessionArchivedEvent({ ...record, details: '🚀'.repeat(1_000), reason: 'Überprüfung '.repeat(200) }, 'h', limit).detail);
    expect(detail.truncated).toEqual(['details', 'reason']);
    expect(detail.session.details).toBeUndefined();
    expect(detail.session.reason?.startsWith('Überprüfung')).toBe(true);
    expect(sessionEntrySize(detail)).toBeLessThanOrEqual(limit);
  });

  it('leaves a normal session alone', () => {
    expect(sessionArchivedEvent(record, 'h').detail.truncated).toBeUndefined();
  });

  it('throws when even without details and reason it does not fit (never with SSM-sized fields)', () => {
    expect(() => sessionArchivedEvent({ ...record, target: 't'.repeat(5_000) }, 'h', 2_000)).toThrow(EventTooLargeError);
  });
});

describe('Sweep Completed and Coverage Gap Detected', () => {
  const summary: SweepSummary = {
    source: 'ssm',
    accountId: '123456789012',
    region: 'eu-west-1',
    startedAt: '2026-11-22T10:00:00.000Z',
    finishedAt: '2026-11-22T10:00:04.500Z',
    durationMs: 4500,
    complete: true,
    sourceCalls: 5,
    pagesFetched: { active: 1, history: 3, reconciliation: 0 },
    lookups: 1,
    sessionsSeen: 420,
    written: 17,
    unchanged: 403,
    openSessions: 2,
    previousWatermark: '2026-11-22T09:40:00.000Z',
    watermark: '2026-11-22T08:00:04.500Z',
    gaps: [{ from: '2026-10-01T00:00:00.000Z', to: '2026-10-02T00:00:00.000Z' }],
    unresolvedOpen: 0,
    endedUnobserved: 0,
    sourceClockOffsetMs: 0,
    reconciliation: 'not-due',
    checkpointConflicts: 0,
  };

  it('sums up the sweep, valid against its schema', () => {
    const event = sweepCompletedEvent(summary, { published: 17, undelivered: 0 });
    expect(event).toMatchObject({ id: 'ssm#123456789012#eu-west-1@2026-11-22T10:00:00.000Z', detailType: DETAIL_TYPE.sweepCompleted, time: summary.finishedAt });
    expect(z.parse(sweepCompletedDetailSchema, event.detail)).toMatchObject({ sessionsWritten: 17, gapsFound: 1, sessionEvents: { published: 17, undelivered: 0 } });
  });

  it('reports each gap once, with its length', () => {
    const [gap, ...rest] = coverageGapEvents(summary);
    expect(rest).toEqual([]);
    expect(z.parse(coverageGapDetailSchema, gap?.detail)).toMatchObject({ from: summary.gaps[0]?.from, to: summary.gaps[0]?.to, durationSeconds: 86_400 });
    expect(coverageGapEvents({ ...summary, gaps: [] })).toEqual([]);
  });
});

describe('Session Compliance Finding', () => {
  it('carries the finding, with the finding id as its id', () => {
    const finding = toFinding({ rule: 'reason-required', message: 'the session was started without a reason' }, record, 'alice#h', '2026-01-15T10:06:00.000Z');
    const event: ArchiveEvent = complianceFindingEvent(finding);
    expect(event.id).toBe('ssm#123456789012#eu-west-1#alice-0123456789abcdef0#reason-required');
    expect(z.parse(complianceFindingDetailSchema, event.detail).finding).toEqual(finding);
  });
});
