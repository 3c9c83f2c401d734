/**
 * cdk.json sets the feature flags aws-cdk-lib recommends for new projects. Turning them on changed
 * the template in exactly the ways listed here and nowhere else: IAM policies are merged and sorted
 * (same permissions), and the stage's access-log destination is the log group's ARN without the
 * `:*` suffix, the form API Gateway stores, so CloudFormation stops reporting drift on it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildStack, cdkJsonContext, isFeatureFlag, logicalIdOf, PROJECT_ROOT } from './stack-fixture';

const POLICY_KEYS = new Set(['PolicyDocument', 'KeyPolicy', 'AssumeRolePolicyDocument']);

/** One Allow/Deny of one action on one resource: a policy's meaning, whatever its statement layout. */
function atomicStatements(document: { Statement: Record<string, unknown>[] }): string[] {
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
  return document.Statement.flatMap(({ Sid: _sid, Action, Resource, ...rest }) =>
    list(Action).flatMap((action) => list(Resource).map((resource) => JSON.stringify({ ...rest, Action: action, Resource: resource }))),
  ).sort();
}

/** The template with every policy document replaced by its atomic statements. */
function normalised(value: unknown, key = ''): unknown {
  if (POLICY_KEYS.has(key) && value && typeof value === 'object' && 'Statement' in value) return atomicStatements(value as { Statement: Record<string, unknown>[] });
  if (Array.isArray(value)) return value.map((item) => normalised(item));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalised(v, k)]));
  return value;
}

/** Paths (dot-separated) where `a` and `b` differ. */
function differences(a: unknown, b: unknown, at = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) => differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], at ? `${at}.${key}` : key));
  }
  return [at];
}

describe('CDK feature flags', () => {
  it("cdk.json sets every flag aws-cdk-lib recommends, to its recommended value, and no other", () => {
    const recommended = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'node_modules', 'aws-cdk-lib', 'recommended-feature-flags.json'), 'utf8')) as Record<string, unknown>;
    const set = Object.fromEntries(Object.entries(cdkJsonContext()).filter(([key]) => isFeatureFlag(key)));
    expect(set).toEqual(recommended);
  });

  it('change the template only as expected: the same permissions, and the access-log destination ARN', () => {
    const withFlags = buildStack().template;
    const withoutFlags = buildStack({}, { featureFlags: false }).template;
    const stageId = logicalIdOf(withFlags, 'AWS::ApiGateway::Stage', 'SessionArchiveQueryApiDeploymentStage');
    const destination = `Resources.${stageId}.Properties.AccessLogSetting.DestinationArn`;
    expect(differences(normalised(withoutFlags.toJSON()), normalised(withFlags.toJSON()))).toEqual([`${destination}.Fn::GetAtt`, `${destination}.Fn::Join`]);
    const destinationOf = (template: typeof withFlags) => JSON.stringify((template.toJSON().Resources as Record<string, { Properties: { AccessLogSetting: { DestinationArn: unknown } } }>)[stageId]?.Properties.AccessLogSetting.DestinationArn);
    // Without the flag: the log group's Arn attribute, which ends in ":*". With it: the ARN API Gateway stores.
    expect(destinationOf(withoutFlags)).toMatch(/"Fn::GetAtt":\["SessionArchiveQueryApiAccessLogs[0-9A-F]+","Arn"\]/);
    expect(destinationOf(withFlags)).toMatch(/":log-group:",\{"Ref":"SessionArchiveQueryApiAccessLogs[0-9A-F]+"\}\]\]/);
    // Unnormalised, the policies did change: the normalisation above is what hides their layout.
    expect(JSON.stringify(withoutFlags.toJSON())).not.toEqual(JSON.stringify(withFlags.toJSON()));
  });
});
