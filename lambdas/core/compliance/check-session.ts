/**
 * One `Session Archived` event through the compliance rules: each breach is written to the archive
 * as a finding (once: the write is conditional on its id) and published as a `Session Compliance
 * Finding`, and then its outbox mark is cleared.
 *
 * Re-delivery is safe: an event seen twice (EventBridge delivers at least once; the sweep's outbox
 * has its own narrow window) finds the finding already stored and publishes it only if the first
 * attempt did not get that far. A failed publish throws, so the invocation fails and is retried.
 */
import type { SessionArchivedDetail } from '../events/detail-schemas';
import { EventDeliveryError, type EventSink } from '../events/ports';
import type { Clock } from '../ports';
import type { SessionRecord } from '../session';
import { toIso } from '../time';
import { evaluate } from './evaluate';
import { toFinding, type ComplianceFinding } from './finding';
import { complianceFindingEvent } from './finding-event';
import type { FindingStore } from './ports';
import type { CompiledRules } from './rules';

export interface ComplianceCheckDeps {
  rules: CompiledRules;
  findings: FindingStore;
  sink: EventSink;
  clock: Clock;
}

export interface ComplianceCheckOutcome {
  sessionId: string;
  /** Rules this session breaks. */
  breaches: string[];
  /** Findings this call stored (0 on a re-delivery). */
  created: number;
  /** Finding events this call delivered. */
  published: number;
}

export async function checkArchivedSession(detail: SessionArchivedDetail, deps: ComplianceCheckDeps): Promise<ComplianceCheckOutcome> {
  const session: SessionRecord = detail.session;
  const breaches = evaluate(session, deps.rules);
  const detectedAt = toIso(deps.clock.now());
  const owed: ComplianceFinding[] = [];
  let created = 0;
  for (const breach of breaches) {
    const stored = await deps.findings.recordFinding(toFinding(breach, session, detail.eventId, detectedAt));
    if (stored.created) created++;
    if (!stored.published) owed.push(stored.finding);
  }
  const outcome: ComplianceCheckOutcome = { sessionId: session.sessionId, breaches: breaches.map((breach) => breach.rule), created, published: 0 };
  if (owed.length === 0) return outcome;

  let undelivered: ReadonlySet<string> = new Set();
  let failure: unknown;
  try {
    await deps.sink.publish(owed.map(complianceFindingEvent));
  } catch (error: unknown) {
    failure = error;
    undelivered = error instanceof EventDeliveryError ? error.undeliveredIds : new Set(owed.map((finding) => finding.findingId));
  }
  for (const finding of owed) {
    if (undelivered.has(finding.findingId)) continue;
    await deps.findings.markPublished(finding);
    outcome.published++;
  }
  if (failure !== undefined) throw failure;
  return outcome;
}
