/**
 * The `add-start-day` migration: puts `startDay` on every session item written before the
 * `byStartDay` index existed, and widens the archive's start bounds over them, so the query may
 * walk days (and skip empty ones) once it is complete. Until then queries keep using
 * `byStartMonth`, which every release still writes.
 *
 * Resumable and bounded: a parallel Scan in segments, each segment's position saved after every
 * page in the migration's progress item, at most `maxPages` pages per run. Idempotent: an item
 * that already has `startDay` is left alone (a conditional update), a page read twice after a
 * crash changes nothing, and a finished migration does nothing. Two runners never both advance it:
 * progress is saved with a version check, and the one that loses stops.
 */
export interface MigrationProgress {
  version: number;
  totalSegments: number;
  /** Per segment: where its Scan resumes (an opaque key), or done. */
  segments: Array<{ done: boolean; resumeAfter?: string }>;
  complete: boolean;
  itemsSeen: number;
  itemsUpdated: number;
}

/** A session item as the Scan sees it: its key, its start, and whether it has `startDay`. */
export interface ScannedSession {
  key: { pk: string; sk: string };
  startDate: string;
  hasStartDay: boolean;
}

export interface ScanPage {
  sessions: ScannedSession[];
  /** Where the segment resumes; absent when the segment is finished. */
  resumeAfter?: string;
}

export interface AddStartDayPorts {
  loadProgress(): Promise<MigrationProgress | undefined>;
  /** Saves only if the stored version is `expectedVersion` (0: none stored yet). */
  saveProgress(progress: MigrationProgress, expectedVersion: number): Promise<boolean>;
  scanSegment(segment: number, totalSegments: number, resumeAfter: string | undefined, pageSize: number): Promise<ScanPage>;
  /** Sets `startDay` unless the item has one already (or is gone); true when it was set. */
  setStartDay(session: ScannedSession): Promise<boolean>;
  /** Widens the archive's start bounds to cover these starts. */
  coverBounds(startDates: readonly string[]): Promise<void>;
  /** The `byStartDay` index exists and is ACTIVE: only then may queries use it. */
  indexReady(): Promise<boolean>;
}

export interface MigrationRunOptions {
  /** Scan segments (fixed by the first run). */
  totalSegments: number;
  pageSize: number;
  /** Scan pages per run: the bound on one invocation's work. */
  maxPages: number;
  /** Conditional updates in flight. */
  writeConcurrency: number;
}

export const DEFAULT_MIGRATION_RUN: MigrationRunOptions = { totalSegments: 4, pageSize: 500, maxPages: 40, writeConcurrency: 16 };

export interface MigrationRunResult {
  complete: boolean;
  pagesRead: number;
  itemsUpdated: number;
  /** Another runner saved progress first: this one stopped. */
  preempted: boolean;
  /** Every segment is scanned but the index is not ACTIVE yet. */
  waitingForIndex: boolean;
}

export async function runAddStartDay(ports: AddStartDayPorts, options: MigrationRunOptions = DEFAULT_MIGRATION_RUN): Promise<MigrationRunResult> {
  const result: MigrationRunResult = { complete: false, pagesRead: 0, itemsUpdated: 0, preempted: false, waitingForIndex: false };
  let progress = (await ports.loadProgress()) ?? initialProgress(options.totalSegments);
  if (progress.complete) return { ...result, complete: true };
  for (let segment = 0; segment < progress.totalSegments && result.pagesRead < options.maxPages; segment++) {
    while (progress.segments[segment]?.done === false && result.pagesRead < options.maxPages) {
      const page = await ports.scanSegment(segment, progress.totalSegments, progress.segments[segment]?.resumeAfter, options.pageSize);
      result.pagesRead++;
      // Bounds before the day: once complete, a query trusts both.
      await ports.coverBounds(page.sessions.map((session) => session.startDate));
      const updated = await setMissingDays(ports, page.sessions, options.writeConcurrency);
      result.itemsUpdated += updated;
      const next = advance(progress, segment, page, updated);
      if (!(await ports.saveProgress(next, progress.version))) return { ...result, preempted: true };
      progress = next;
    }
  }
  if (progress.segments.some((segment) => !segment.done)) return result;
  if (!(await ports.indexReady())) return { ...result, waitingForIndex: true };
  const finished = { ...progress, complete: true, version: progress.version + 1 };
  if (!(await ports.saveProgress(finished, progress.version))) return { ...result, preempted: true };
  return { ...result, complete: true };
}

function initialProgress(totalSegments: number): MigrationProgress {
  return { version: 0, totalSegments, segments: Array.from({ length: totalSegments }, () => ({ done: false })), complete: false, itemsSeen: 0, itemsUpdated: 0 };
}

function advance(progress: MigrationProgress, segment: number, page: ScanPage, updated: number): MigrationProgress {
  const segments = progress.segments.map((entry, i) => (i !== segment ? entry : page.resumeAfter === undefined ? { done: true } : { done: false, resumeAfter: page.resumeAfter }));
  return {
    ...progress,
    version: progress.version + 1,
    segments,
    itemsSeen: progress.itemsSeen + page.sessions.length,
    itemsUpdated: progress.itemsUpdated + updated,
  };
}

async function setMissingDays(ports: AddStartDayPorts, sessions: readonly ScannedSession[], concurrency: number): Promise<number> {
  const missing = sessions.filter((session) => !session.hasStartDay);
  let updated = 0;
  for (let i = 0; i < missing.length; i += concurrency) {
    const results = await Promise.all(missing.slice(i, i + concurrency).map((session) => ports.setStartDay(session)));
    updated += results.filter(Boolean).length;
  }
  return updated;
}
