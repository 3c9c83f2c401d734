/**
 * Whether the archive table of one release can be deployed over the previous release's without
 * CloudFormation replacing it (a new, empty table; the old one orphaned) or refusing the update.
 * AWS::DynamoDB::Table: TableName, KeySchema and LocalSecondaryIndexes require replacement; a GSI's
 * key schema and projection cannot change in place; one GSI may be created or deleted per update.
 */
import type { Template } from 'aws-cdk-lib/assertions';

interface KeyElement {
  AttributeName: string;
  KeyType: string;
}
interface Index {
  IndexName: string;
  KeySchema: KeyElement[];
  Projection: unknown;
}

export interface TableSnapshot {
  logicalId: string;
  properties: {
    TableName?: string | null;
    KeySchema: KeyElement[];
    AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
    GlobalSecondaryIndexes?: Index[];
    LocalSecondaryIndexes?: Index[];
  };
}

/** The one table of `template`, in the shape of the committed fixture. */
export function tableSnapshot(template: Template): TableSnapshot {
  const tables = Object.entries(template.findResources('AWS::DynamoDB::Table'));
  if (tables.length !== 1) throw new Error(`expected one table, found ${tables.length}`);
  const [logicalId, table] = tables[0] as [string, { Properties: TableSnapshot['properties'] }];
  return { logicalId, properties: table.Properties };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Everything that would make deploying `next` over `previous` replace the table or fail; [] when safe. */
export function upgradeProblems(previous: TableSnapshot, next: TableSnapshot): string[] {
  const problems: string[] = [];
  const before = previous.properties;
  const after = next.properties;
  if (previous.logicalId !== next.logicalId) problems.push(`logical id ${previous.logicalId} → ${next.logicalId}: CloudFormation would create a new table`);
  if (!same(before.TableName, after.TableName)) problems.push('TableName changed: requires replacement');
  if (!same(before.KeySchema, after.KeySchema)) problems.push('KeySchema changed: requires replacement');
  if (!same(before.LocalSecondaryIndexes ?? [], after.LocalSecondaryIndexes ?? [])) problems.push('LocalSecondaryIndexes changed: requires replacement');

  const typeOf = (props: TableSnapshot['properties'], name: string) => props.AttributeDefinitions.find((a) => a.AttributeName === name)?.AttributeType;
  const oldIndexes = new Map((before.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
  const newIndexes = new Map((after.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
  const keptKeys = [...before.KeySchema, ...[...oldIndexes.values()].filter((index) => newIndexes.has(index.IndexName)).flatMap((index) => index.KeySchema)];
  for (const { AttributeName } of keptKeys) {
    if (typeOf(before, AttributeName) !== typeOf(after, AttributeName)) problems.push(`attribute ${AttributeName} changed type: its keys cannot change in place`);
  }
  for (const [name, index] of oldIndexes) {
    const updated = newIndexes.get(name);
    if (updated && !same(index.KeySchema, updated.KeySchema)) problems.push(`index ${name}: key schema changed in place (create a new index under a new name instead)`);
    if (updated && !same(index.Projection, updated.Projection)) problems.push(`index ${name}: projection changed in place (create a new index under a new name instead)`);
  }
  const created = [...newIndexes.keys()].filter((name) => !oldIndexes.has(name));
  const deleted = [...oldIndexes.keys()].filter((name) => !newIndexes.has(name));
  if (created.length + deleted.length > 1) {
    problems.push(`${created.length} index(es) created (${created.join(', ')}) and ${deleted.length} deleted (${deleted.join(', ')}): at most one per release`);
  }
  return problems;
}
