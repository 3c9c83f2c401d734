/**
 * One target's sweep, as the fan-out runs it: under the target's lease (two sweeps of one target
 * never run at once), with the source opened for that target (in a member account: through its
 * role). A failure stays with the target: it is kept on the target's checkpoint (kind, message,
 * since when), published as `Target Sweep Failed`, and thrown as a typed error so the engine can
 * retry what may pass (throttling) and set aside what keeps failing. Other targets never see it.
 */
import { randomUUID } from 'node:crypto';
import { withEvidence } from '../evidence/with-evidence';
import type { EvidenceWriter } from '../evidence/writer';
import { DETAIL_TYPE, EVENT_SCHEMA_VERSION, type ArchiveEvent } from '../events/event-types';
import type { EventSink } from '../events/ports';
import type { TargetSweepFailedDetail } from '../events/detail-schemas';
import type { AnySessionSource, ArchiveStore, Clock, CoreLogger } from './ports';
import { isUnfilteredSource, silentLogger } from './ports';
import { scopeKey, type SourceScope } from '../session/session';
import { sweep, type SweepOptions, type SweepSummary } from './sweep';
import { EMPTY_SWEEP_STATE, type TargetFailure, type TargetFailureKind } from './sweep-state';
import { toIso } from '../shared/time';
import { sweepUnfiltered } from './unfiltered-sweep';

export interface TargetSweepPorts {
  store: ArchiveStore;
  clock: Clock;
  logger?: CoreLogger;
  events?: EventSink;
  /** The source of this target, signed in to it (may assume a role: failures are this target's). */
  openSource(target: SourceScope): Promise<AnySessionSource>;
  /** What kind of failure an error is (the adapters know their SDK's errors). */
  classify(error: unknown): TargetFailureKind;
  /** Signs and keeps evidence of every stored state, when the archive keeps evidence (docs/evidence.md). */
  evidence?: EvidenceWriter;
}

export type TargetSweepResult = { status: 'swept'; summary: SweepSummary } | { status: 'busy' };

/** Thrown after the failure is recorded; its name tells the engine whether a retry may help. */
export class TargetSweepError extends Error {
  constructor(
    readonly kind: TargetFailureKind,
    readonly target: SourceScope,
    message: string,
  ) {
    super(`${scopeKey(target)}: ${kind}: ${message}`);
    this.name = TARGET_ERROR_NAMES[kind];
  }
}

/** Error names the fan-out engine matches (Step Functions Retry on the transient ones). */
export const TARGET_ERROR_NAMES: Record<TargetFailureKind, string> = {
  'role-missing': 'TargetRoleMissing',
  'access-denied': 'TargetAccessDenied',
  'region-disabled': 'TargetRegionDisabled',
  throttled: 'TargetThrottled',
  failed: 'TargetSweepFailed',
};

/** A lease outlives the longest sweep (a Lambda runs 15 minutes at most). */
export const SWEEP_LEASE_MS = 16 * 60_000;

export async function sweepTarget(target: SourceScope, ports: TargetSweepPorts, options: SweepOptions = {}): Promise<TargetSweepResult> {
  const { store, clock } = ports;
  const logger = ports.logger ?? silentLogger;
  const owner = `${scopeKey(target)}@${toIso(clock.now())}#${randomUUID().slice(0, 8)}`;
  if (!(await store.acquireSweepLease(target, owner, clock.now(), clock.now() + SWEEP_LEASE_MS))) {
    logger.info('target already being swept; skipped', { target: scopeKey(target) });
    return { status: 'busy' };
  }
  try {
    const source = await ports.openSource(target);
    // A source with no time filter (Alibaba Cloud) has its own listing rules; the rest is shared.
    const summary = await withEvidence(ports.evidence, { scope: target, store, clock, logger }, (under) => {
      const shared = { store: under.store, clock, logger, ...(ports.events ? { events: ports.events } : {}), ...(under.evidence ? { evidence: under.evidence } : {}) };
      return isUnfilteredSource(source) ? sweepUnfiltered({ source, ...shared }, options) : sweep({ source, ...shared }, options);
    });
    return { status: 'swept', summary };
  } catch (error: unknown) {
    const failure = await recordFailure(target, ports, error);
    logger.warn('target sweep failed', { target: scopeKey(target), kind: failure.kind, message: failure.message, since: toIso(failure.since) });
    if (ports.events) await publishFailure(ports.events, target, failure, clock.now(), logger);
    throw new TargetSweepError(failure.kind, target, failure.message);
  } finally {
    await store.releaseSweepLease(target, owner);
  }
}

/** Keeps the failure on the target's checkpoint; `since` holds while the same kind repeats. */
async function recordFailure(target: SourceScope, ports: TargetSweepPorts, error: unknown): Promise<TargetFailure> {
  const { store, clock } = ports;
  const kind = ports.classify(error);
  const message = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1_000);
  for (let attempt = 0; attempt < 5; attempt++) {
    const state = (await store.loadSweepState(target)) ?? EMPTY_SWEEP_STATE;
    const since = state.lastError?.kind === kind ? state.lastError.since : clock.now();
    const failure: TargetFailure = { kind, message, since };
    if (await store.saveSweepState(target, { ...state, version: state.version + 1, lastError: failure }, state.version)) return failure;
  }
  return { kind, message, since: clock.now() };
}

async function publishFailure(sink: EventSink, target: SourceScope, failure: TargetFailure, nowMs: number, logger: CoreLogger): Promise<void> {
  const failureId = `${scopeKey(target)}#${failure.kind}#${toIso(failure.since)}`;
  const detail: TargetSweepFailedDetail = {
    version: EVENT_SCHEMA_VERSION,
    failureId,
    ...target,
    kind: failure.kind,
    message: failure.message,
    since: toIso(failure.since),
    failedAt: toIso(nowMs),
  };
  const event: ArchiveEvent = { id: `${failureId}@${toIso(nowMs)}`, detailType: DETAIL_TYPE.targetSweepFailed, time: toIso(nowMs), detail };
  try {
    await sink.publish([event]);
  } catch (error: unknown) {
    // The checkpoint, GET /coverage and the stale-targets metric hold the failure already.
    logger.warn('Target Sweep Failed not delivered', { error: error instanceof Error ? error.message : String(error) });
  }
}
