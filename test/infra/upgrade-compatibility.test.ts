/**
 * The table of this release against the previous release's (test/infra/fixtures/, committed when
 * that release shipped): deploying over it must not replace the table or fail on its indexes.
 * When a release changes the table compatibly, commit its snapshot as the next fixture.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStack } from './stack-fixture';
import { tableSnapshot, upgradeProblems, type TableSnapshot } from './table-compatibility';

const PREVIOUS_RELEASE = path.join(__dirname, 'fixtures', 'archive-table-0.1.0.json');

let previous: TableSnapshot;
let current: TableSnapshot;

beforeAll(() => {
  previous = JSON.parse(fs.readFileSync(PREVIOUS_RELEASE, 'utf8')) as TableSnapshot;
  current = tableSnapshot(buildStack().template);
});

/** `current` with one change applied, for the cases the check must catch. */
function changed(change: (snapshot: TableSnapshot) => void): TableSnapshot {
  const copy = structuredClone(current);
  change(copy);
  return copy;
}

const anIndex = (name: string) => ({
  IndexName: name,
  KeySchema: [{ AttributeName: name, KeyType: 'HASH' }],
  Projection: { ProjectionType: 'ALL' },
});

describe('upgrade from the previous release (0.1.0)', () => {
  it('deploys over it without replacing the table, with at most one index created or deleted', () => {
    expect(upgradeProblems(previous, current)).toEqual([]);
  });

  it('keeps the same logical id, key schema and indexes (the snapshot is not empty)', () => {
    expect(current.logicalId).toBe(previous.logicalId);
    expect(current.properties.KeySchema).toEqual(previous.properties.KeySchema);
    expect(current.properties.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(previous.properties.GlobalSecondaryIndexes?.map((index) => index.IndexName));
  });
});

describe('the compatibility check catches', () => {
  it.each<[string, (snapshot: TableSnapshot) => void, RegExp]>([
    ['a changed key schema', (s) => (s.properties.KeySchema = [{ AttributeName: 'pk', KeyType: 'HASH' }]), /KeySchema changed/],
    ['an added local secondary index', (s) => (s.properties.LocalSecondaryIndexes = [anIndex('byOther')]), /LocalSecondaryIndexes changed/],
    ['a fixed table name', (s) => (s.properties.TableName = 'session-archive'), /TableName changed/],
    ['a new logical id', (s) => (s.logicalId = 'ArchiveTableV2'), /logical id .* would create a new table/],
    ['a changed index projection', (s) => ((s.properties.GlobalSecondaryIndexes?.[0] as { Projection: unknown }).Projection = { ProjectionType: 'KEYS_ONLY' }), /projection changed in place/],
    ['a changed index key', (s) => ((s.properties.GlobalSecondaryIndexes?.[1] as { KeySchema: unknown }).KeySchema = [{ AttributeName: 'pk', KeyType: 'HASH' }]), /key schema changed in place/],
    ['two indexes created in one release', (s) => s.properties.GlobalSecondaryIndexes?.push(anIndex('byA'), anIndex('byB')), /2 index\(es\) created .* at most one per release/],
    ['one index created and one deleted', (s) => s.properties.GlobalSecondaryIndexes?.splice(0, 1, anIndex('byA')), /1 index\(es\) created .* 1 deleted/],
    ['a key attribute changing type', (s) => s.properties.AttributeDefinitions.splice(0, 1, { AttributeName: 'pk', AttributeType: 'N' }), /attribute pk changed type/],
  ])('%s', (_name, change, problem) => {
    expect(upgradeProblems(previous, changed(change)).join('\n')).toMatch(problem);
  });

  it('and lets one new index through', () => {
    expect(upgradeProblems(previous, changed((s) => s.properties.GlobalSecondaryIndexes?.push(anIndex('byA'))))).toEqual([]);
  });
});
