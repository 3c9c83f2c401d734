import { describe, expect, it } from 'vitest';
import { MalformedSessionError, toObservedSession, toSsmDate } from '../../lambdas/adapters/aws/ssm-session-source';
import { contentHash } from '../../lambdas/core/session/content-hash';
import { isFinalStatus } from '../../lambdas/core/session/session';
import { planSlices } from '../../lambdas/core/sweep/sweep';
import { EMPTY_SWEEP_STATE, mergeGaps, reconcileSweepState } from '../../lambdas/core/sweep/sweep-state';
import { DAY_MS, mergeRanges, subtractRanges } from '../../lambdas/core/shared/time';

describe('time ranges', () => {
  it('merges overlapping and touching ranges and drops empty ones', () => {
    expect(mergeRanges([{ from: 5, to: 8 }, { from: 0, to: 5 }, { from: 10, to: 10 }, { from: 7, to: 9 }, { from: 12, to: 15 }])).toEqual([
      { from: 0, to: 9 },
      { from: 12, to: 15 },
    ]);
  });

  it('subtracts holes, keeping what lies on either side', () => {
    expect(subtractRanges({ from: 0, to: 100 }, [{ from: 20, to: 30 }, { from: 90, to: 120 }])).toEqual([
      { from: 0, to: 20 },
      { from: 30, to: 90 },
    ]);
    expect(subtractRanges({ from: 0, to: 10 }, [{ from: -5, to: 15 }])).toEqual([]);
  });
});

describe('slices', () => {
  const now = 100 * DAY_MS;
  it('lists the whole range at once when no slice size is set', () => {
    expect(planSlices(null, now - 30 * DAY_MS, now, null)).toEqual([{}]);
    expect(planSlices(now - DAY_MS, now - 30 * DAY_MS, now, null)).toEqual([{ after: now - DAY_MS }]);
  });

  it('tiles the range with adjacent slices, the last one open-ended', () => {
    const slices = planSlices(now - 3 * DAY_MS, now - 30 * DAY_MS, now, DAY_MS);
    expect(slices).toEqual([
      { after: now - 3 * DAY_MS, before: now - 2 * DAY_MS },
      { after: now - 2 * DAY_MS, before: now - DAY_MS },
      { after: now - DAY_MS },
    ]);
  });

  it('starts a first sweep with a slice that has no lower bound, so the backfill misses nothing the source holds', () => {
    const [first] = planSlices(null, now - 30 * DAY_MS, now, 10 * DAY_MS);
    expect(first).toEqual({ before: now - 20 * DAY_MS });
  });
});

describe('checkpoint reconciliation', () => {
  it('keeps the later watermark and the union of coverage and gaps', () => {
    const stored = { ...EMPTY_SWEEP_STATE, version: 7, watermark: 500, listedUntil: 600, coverage: [{ from: 0, to: 500 }], gaps: [{ from: -50, to: -10, detectedAt: 1 }] };
    const mine = { ...EMPTY_SWEEP_STATE, version: 6, watermark: 400, listedUntil: 650, coverage: [{ from: 300, to: 400 }], gaps: [{ from: -50, to: -10, detectedAt: 2 }] };
    expect(reconcileSweepState(stored, mine)).toMatchObject({
      version: 7,
      watermark: 500,
      listedUntil: 650,
      coverage: [{ from: 0, to: 500 }],
      gaps: [{ from: -50, to: -10, detectedAt: 1 }],
    });
  });

  it('deduplicates gaps by range, keeping the earliest detection', () => {
    expect(mergeGaps([{ from: 1, to: 2, detectedAt: 9 }], [{ from: 1, to: 2, detectedAt: 3 }, { from: 4, to: 5, detectedAt: 3 }])).toEqual([
      { from: 1, to: 2, detectedAt: 3 },
      { from: 4, to: 5, detectedAt: 3 },
    ]);
  });
});

describe('the SSM shape', () => {
  it('formats filter dates as whole seconds, rounding down so nothing at the boundary is skipped', () => {
    expect(toSsmDate(Date.UTC(2024, 7, 29, 0, 0, 0, 999))).toBe('2024-08-29T00:00:00Z');
  });

  it('maps a session to the archive shape with millisecond ISO times', () => {
    const observed = toObservedSession({
      SessionId: 'alice-0123456789abcdef0',
      Target: 'i-0123456789abcdef0',
      Status: 'Terminated',
      StartDate: new Date(1550676938352),
      EndDate: new Date(1550677000000),
      Owner: 'arn:aws:iam::123456789012:user/alice',
      OutputUrl: { S3OutputUrl: 's3://bucket/key' },
      AccessType: 'JustInTime',
    });
    expect(observed).toEqual({
      sessionId: 'alice-0123456789abcdef0',
      target: 'i-0123456789abcdef0',
      status: 'Terminated',
      startDate: '2019-02-20T15:35:38.352Z',
      endDate: '2019-02-20T15:36:40.000Z',
      owner: 'arn:aws:iam::123456789012:user/alice',
      outputUrl: { s3OutputUrl: 's3://bucket/key' },
      accessType: 'JustInTime',
    });
  });

  it('refuses a session without an id or a start date, naming what is missing', () => {
    expect(() => toObservedSession({ SessionId: 'x' })).toThrow(MalformedSessionError);
    expect(() => toObservedSession({ SessionId: 'x' })).toThrow(/without StartDate/);
    expect(() => toObservedSession({ StartDate: new Date() })).toThrow(/without SessionId/);
  });

  it('treats only Terminated and Failed as final', () => {
    expect(['Connected', 'Connecting', 'Disconnected', 'Terminating', 'Terminated', 'Failed'].filter(isFinalStatus)).toEqual(['Terminated', 'Failed']);
  });

  it('gives equal observations equal hashes, and any field change a new one', () => {
    const base = { sessionId: 's', target: 't', status: 'Connected', startDate: '2026-01-01T00:00:00.000Z' };
    expect(contentHash({ ...base })).toBe(contentHash({ startDate: base.startDate, status: 'Connected', target: 't', sessionId: 's' }));
    expect(contentHash({ ...base, status: 'Terminated' })).not.toBe(contentHash(base));
    expect(contentHash({ ...base, reason: 'x' })).not.toBe(contentHash(base));
  });
});
