/** The `Session Compliance Finding` event of a finding; its id is the finding's, so repeats are recognisable. */
import type { ComplianceFindingDetail } from '../events/detail-schemas';
import { DETAIL_TYPE, EVENT_SCHEMA_VERSION, type ArchiveEvent } from '../events/event-types';
import type { ComplianceFinding } from './finding';

export function complianceFindingEvent(finding: ComplianceFinding): ArchiveEvent {
  const detail: ComplianceFindingDetail = { version: EVENT_SCHEMA_VERSION, finding };
  return { id: finding.findingId, detailType: DETAIL_TYPE.complianceFinding, time: finding.detectedAt, detail };
}
