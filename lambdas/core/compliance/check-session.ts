/**
 * One `Session Archived` event through the compliance rules. The event only names the session:
 * anyone allowed events:PutEvents could post one, so the rules judge the record the archive holds,
 * read by its key, never the event's body. A session the archive does not hold yields nothing
 * (the outcome says so, and the handler logs it). Each breach is written to the archive
 * as a finding (once: the write is conditional on its id) and published as a `Session Compliance
 * Finding`, and then its outbox mark is cleared.
 *
 * Re-delivery is safe: an event seen twice (EventBridge delivers at least once; the sweep's outbox
 * has its own narrow window) finds the finding already stored and publishes it only if the first
 * attempt did not get that far. A failed publish throws, so the invocation fails and is retried.
 */
import { contentHash } from '../session/content-hash';
import type { SessionArchivedDetail } from '../events/detail-schemas';
import { EventDeliveryError, type EventSink } from '../events/ports';
import { sessionEventId } from '../events/session-archived';
import type { Clock } from '../sweep/ports';
import { toIso } from '../shared/time';
import { evaluate } from './evaluate';
import { toFinding, type ComplianceFinding } from './finding';
import { complianceFindingEvent } from './finding-event';
import type { ArchivedSessionReader, FindingStore } from './ports';
import type { CompiledRules } from './rules';

export interface ComplianceCheckDeps {
  rules: CompiledRules;
  sessions: ArchivedSessionReader;
  findings: FindingStore;
  sink: EventSink;
  clock: Clock;
}

export interface ComplianceCheckOutcome {
  sessionId: string;
  /** False when the archive holds no such session: nothing was checked (a forged or stray event). */
  archived: boolean;
  /** Whether the event described the state the archive holds (false: superseded since, or forged). */
  matchesArchive: boolean;
  /** Rules this session breaks. */
  breaches: string[];
  /** Findings this call stored (0 on a re-delivery). */
  created: number;
  /** Finding events this call delivered. */
  published: number;
}

export async function checkArchivedSession(detail: SessionArchivedDetail, deps: ComplianceCheckDeps): Promise<ComplianceCheckOutcome> {
  const { sessionId, source, accountId, region } = detail.session;
  const session = await deps.sessions.getArchivedSession({ sessionId, source, accountId, region });
  if (session === undefined) return { sessionId, archived: false, matchesArchive: false, breaches: [], created: 0, published: 0 };
  const hash = contentHash(session);
  const breaches = evaluate(session, deps.rules);
  const detectedAt = toIso(deps.clock.now());
  const owed: ComplianceFinding[] = [];
  let created = 0;
  for (const breach of breaches) {
    // The id of the archived state that was judged, not whatever the event claimed.
    const stored = await deps.findings.recordFinding(toFinding(breach, session, sessionEventId(sessionId, hash), detectedAt));
    if (stored.created) created++;
    if (!stored.published) owed.push(stored.finding);
  }
  const outcome: ComplianceCheckOutcome = {
    sessionId,
    archived: true,
    matchesArchive: detail.contentHash === hash,
    breaches: breaches.map((breach) => breach.rule),
    created,
    published: 0,
  };
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
