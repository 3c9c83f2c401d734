/**
 * docs/events.md promises an example of every event: each example must be a valid EventBridge
 * envelope whose detail matches that event's schema, and every detail type must have one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  archiveIntegrityViolationDetailSchema,
  complianceFindingDetailSchema,
  coverageGapDetailSchema,
  sessionArchivedDetailSchema,
  sweepCompletedDetailSchema,
  targetSweepFailedDetailSchema,
} from '../../lambdas/core/events/detail-schemas';
import { DETAIL_TYPE, EVENT_SOURCE, type DetailType } from '../../lambdas/core/events/event-types';

const SCHEMAS: Record<DetailType, z.core.$ZodType> = {
  [DETAIL_TYPE.sessionArchived]: sessionArchivedDetailSchema,
  [DETAIL_TYPE.sweepCompleted]: sweepCompletedDetailSchema,
  [DETAIL_TYPE.coverageGapDetected]: coverageGapDetailSchema,
  [DETAIL_TYPE.complianceFinding]: complianceFindingDetailSchema,
  [DETAIL_TYPE.targetSweepFailed]: targetSweepFailedDetailSchema,
  [DETAIL_TYPE.archiveIntegrityViolation]: archiveIntegrityViolationDetailSchema,
};

const page = readFileSync(join(__dirname, '..', '..', 'docs', 'events.md'), 'utf8');
const examples = [...page.matchAll(/<!-- example: ([^>]+) -->\s*```json\n([\s\S]*?)```/g)].map((match) => ({
  name: match[1]?.trim() ?? '',
  event: JSON.parse(match[2] ?? '') as Record<string, unknown>,
}));

const alibabaExamples = [...page.matchAll(/<!-- alibaba example: ([^>]+) -->\s*```json\n([\s\S]*?)```/g)].map((match) => ({
  name: match[1]?.trim() ?? '',
  event: JSON.parse(match[2] ?? '') as Record<string, unknown>,
}));

describe('docs/events.md', () => {
  it('shows a valid Session Archived event of an Alibaba Cloud session', () => {
    expect(alibabaExamples.map((example) => example.name)).toEqual([DETAIL_TYPE.sessionArchived]);
    const [example] = alibabaExamples;
    expect(example?.event).toMatchObject({ 'detail-type': DETAIL_TYPE.sessionArchived, detail: { session: { source: 'alibaba' } } });
    expect(z.safeParse(sessionArchivedDetailSchema, example?.event.detail).error?.issues ?? []).toEqual([]);
  });

  it('has one example for every detail type', () => {
    expect(examples.map((example) => example.name).sort()).toEqual(Object.values(DETAIL_TYPE).sort());
  });

  it.each(examples.map((example) => [example.name, example.event] as const))('shows a valid %s event', (name, event) => {
    expect(event).toMatchObject({ version: '0', source: EVENT_SOURCE, 'detail-type': name });
    expect(z.safeParse(SCHEMAS[name as DetailType], event.detail).error?.issues ?? []).toEqual([]);
  });
});
