/**
 * `GET /coverage`: per source, account and region, what the archive can vouch for. Coverage
 * ranges are StartDate ranges whose sessions are all archived; gaps are ranges the source
 * dropped before a sweep read them. Times are ISO-8601; the watermark's age tells how far behind
 * the sweeper runs (alarm on it before it nears the source's 30-day window).
 */
import * as z from 'zod/mini';
import { scopeKey } from '../session/session';
import { toIso } from '../shared/time';
import { BadRequestError } from './errors';
import { assertKnownAndSingle, describeIssue, type RawParameters } from './parameters';
import type { SweepStateEntry, TargetError } from './ports';
import { matchesTargetFilters, targetFilterShape, targetFiltersOf, type TargetFilters } from './target-filters';

/** `GET /coverage`: optionally one account, region or source. */
export const coverageQuerySchema = z.strictObject({ ...targetFilterShape });

export function parseCoverageQuery(raw: RawParameters): TargetFilters {
  const single = assertKnownAndSingle(raw, Object.keys(coverageQuerySchema.shape));
  const result = z.safeParse(coverageQuerySchema, single);
  if (!result.success) {
    throw new BadRequestError('InvalidParameter', result.error.issues.map((issue) => describeIssue(issue, single)).join('; '));
  }
  return targetFiltersOf(result.data);
}

export interface SourceCoverage {
  source: string;
  accountId: string;
  region: string;
  /** Every session that started before this is archived in its final state. */
  watermark: string | null;
  watermarkAgeSeconds: number | null;
  /** The start of the last sweep that listed the source completely. */
  listedUntil: string | null;
  coverage: { from: string; to: string }[];
  /**
   * Parts of `coverage` that a reconciliation listed again after they were complete: whatever an
   * incremental listing may have skipped there was caught. A session missing from a confirmed range
   * can only be in a gap.
   */
  confirmed: { from: string; to: string }[];
  /** The end of the last confirmed range: "confirmed up to …". */
  confirmedUntil: string | null;
  /** When the last complete reconciliation began (source time). */
  lastReconciledAt: string | null;
  gaps: { from: string; to: string; detectedAt: string }[];
  lastSweep: { startedAt: string; finishedAt: string; complete: boolean; sessionsWritten: number } | null;
  lastCompletedAt: string | null;
  /** The target's last failure (kind, message, since when), until a sweep of it succeeds. */
  lastError: TargetError | null;
}

export interface CoverageReport {
  generatedAt: string;
  sources: SourceCoverage[];
}

export function describeCoverage(entries: readonly SweepStateEntry[], nowMs: number, filters: TargetFilters = {}): CoverageReport {
  const sorted = entries.filter((entry) => matchesTargetFilters(entry.scope, filters)).sort((a, b) => scopeKey(a.scope).localeCompare(scopeKey(b.scope)));
  return {
    generatedAt: toIso(nowMs),
    sources: sorted.map(({ scope, state, lastError }) => ({
      source: scope.source,
      accountId: scope.accountId,
      region: scope.region,
      watermark: isoOrNull(state.watermark),
      watermarkAgeSeconds: state.watermark === null ? null : Math.max(0, Math.floor((nowMs - state.watermark) / 1000)),
      listedUntil: isoOrNull(state.listedUntil),
      coverage: state.coverage.map((range) => ({ from: toIso(range.from), to: toIso(range.to) })),
      confirmed: state.confirmed.map((range) => ({ from: toIso(range.from), to: toIso(range.to) })),
      confirmedUntil: isoOrNull(state.confirmed.at(-1)?.to ?? null),
      lastReconciledAt: isoOrNull(state.lastReconciledAt),
      gaps: state.gaps.map((gap) => ({ from: toIso(gap.from), to: toIso(gap.to), detectedAt: toIso(gap.detectedAt) })),
      lastSweep: state.lastSweep
        ? {
            startedAt: toIso(state.lastSweep.startedAt),
            finishedAt: toIso(state.lastSweep.finishedAt),
            complete: state.lastSweep.complete,
            sessionsWritten: state.lastSweep.sessionsWritten,
          }
        : null,
      lastCompletedAt: isoOrNull(state.lastCompletedAt ?? null),
      lastError: lastError ?? null,
    })),
  };
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : toIso(ms);
}
