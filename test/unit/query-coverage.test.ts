import { describe, expect, it } from 'vitest';
import { describeCoverage } from '../../lambdas/core/query/coverage';
import { EMPTY_SWEEP_STATE } from '../../lambdas/core/sweep/sweep-state';
import { DAY_MS } from '../../lambdas/core/shared/time';

const t = Date.UTC(2026, 5, 1);

describe('coverage report', () => {
  it('shows each scope with ISO times, gaps and the watermark age, sorted by scope', () => {
    const report = describeCoverage(
      [
        {
          scope: { source: 'ssm', accountId: '2', region: 'eu-west-1' },
          state: {
            ...EMPTY_SWEEP_STATE,
            watermark: t - DAY_MS,
            version: 3,
            coverage: [{ from: t - 60 * DAY_MS, to: t - 40 * DAY_MS }, { from: t - 35 * DAY_MS, to: t - DAY_MS }],
            gaps: [{ from: t - 40 * DAY_MS, to: t - 35 * DAY_MS, detectedAt: t - 5 * DAY_MS }],
            listedUntil: t - 2 * DAY_MS,
            lastSweep: { startedAt: t - 3_600_000, finishedAt: t - 3_000_000, complete: true, sessionsWritten: 12 },
            lastCompletedAt: t - 3_000_000,
            confirmed: [{ from: t - 29 * DAY_MS, to: t - 2 * DAY_MS }],
            lastReconciledAt: t - 2 * DAY_MS + 300_000,
          },
        },
        { scope: { source: 'ssm', accountId: '1', region: 'eu-west-1' }, state: EMPTY_SWEEP_STATE },
      ],
      t,
    );
    expect(report.generatedAt).toBe('2026-06-01T00:00:00.000Z');
    expect(report.sources.map((s) => s.accountId)).toEqual(['1', '2']);
    expect(report.sources[0]).toMatchObject({ watermark: null, watermarkAgeSeconds: null, lastSweep: null, coverage: [], confirmed: [], confirmedUntil: null, gaps: [] });
    expect(report.sources[1]).toEqual({
      source: 'ssm',
      accountId: '2',
      region: 'eu-west-1',
      watermark: '2026-05-31T00:00:00.000Z',
      watermarkAgeSeconds: 86_400,
      listedUntil: '2026-05-30T00:00:00.000Z',
      coverage: [
        { from: '2026-04-02T00:00:00.000Z', to: '2026-04-22T00:00:00.000Z' },
        { from: '2026-04-27T00:00:00.000Z', to: '2026-05-31T00:00:00.000Z' },
      ],
      confirmed: [{ from: '2026-05-03T00:00:00.000Z', to: '2026-05-30T00:00:00.000Z' }],
      confirmedUntil: '2026-05-30T00:00:00.000Z',
      lastReconciledAt: '2026-05-30T00:05:00.000Z',
      gaps: [{ from: '2026-04-22T00:00:00.000Z', to: '2026-04-27T00:00:00.000Z', detectedAt: '2026-05-27T00:00:00.000Z' }],
      lastSweep: { startedAt: '2026-05-31T23:00:00.000Z', finishedAt: '2026-05-31T23:10:00.000Z', complete: true, sessionsWritten: 12 },
      lastCompletedAt: '2026-05-31T23:10:00.000Z',
      lastError: null,
    });
  });
});
