/**
 * The collaborators the core needs, as narrow interfaces. Adapters implement them with the AWS
 * SDK; tests hand in the same adapters pointed at the emulator and dynalite.
 */
import type { ObservedSession, SessionRecord, SourceScope } from './session';
import type { SweepState } from './sweep-state';

/** Bounds for a History listing: StartDate >= invokedAfter and < invokedBefore (epoch ms). */
export interface HistoryQuery {
  invokedAfter?: number;
  invokedBefore?: number;
}

/** A place that reports sessions: SSM today, other clouds later. Each yielded array is one page. */
export interface SessionSource {
  readonly scope: SourceScope;
  /** How long the source keeps ended sessions. */
  readonly historyRetentionMs: number;
  listActive(): AsyncIterable<ObservedSession[]>;
  listHistory(query: HistoryQuery): AsyncIterable<ObservedSession[]>;
  /** One ended session by id, or undefined when the source no longer holds it. */
  findEnded(sessionId: string): Promise<ObservedSession | undefined>;
}

export interface ArchiveOutcome {
  /** Records whose state changed and were written, as stored. */
  written: SessionRecord[];
  /** Sessions whose archived record already held this state: no write was made. */
  unchanged: number;
}

export interface OpenSessionRef {
  sessionId: string;
  startDate: string;
}

export interface ArchiveStore {
  /** Writes each session whose state differs from its record; never overwrites firstArchivedAt. */
  archiveSessions(scope: SourceScope, sessions: readonly ObservedSession[], nowIso: string): Promise<ArchiveOutcome>;
  /** Archived sessions of this scope whose last known status was not final. */
  listOpenSessions(scope: SourceScope): Promise<OpenSessionRef[]>;
  /**
   * An open session the source no longer lists anywhere: its final state was never published
   * while the archive looked. Takes it off the open list and flags the record, keeping its status.
   */
  markEndedUnobserved(scope: SourceScope, sessionId: string, nowIso: string): Promise<void>;
  loadSweepState(scope: SourceScope): Promise<SweepState | undefined>;
  /**
   * Saves the state only if the stored version still equals `expectedVersion`.
   * Returns false when another sweep saved first.
   */
  saveSweepState(scope: SourceScope, state: SweepState, expectedVersion: number): Promise<boolean>;
}

export interface Clock {
  now(): number;
}

export interface CoreLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const systemClock: Clock = { now: () => Date.now() };

export const silentLogger: CoreLogger = { info: () => undefined, warn: () => undefined };
