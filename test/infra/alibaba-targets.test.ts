/**
 * Alibaba Cloud targets in the template (issue 14): the `alibaba` context key checked at synth,
 * the planner and its queue even when the AWS side is the hub alone, the secret read granted on
 * exactly the configured ARNs, and the record-cap headroom alarm.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContextError, readAppConfig, type ContextKey } from '../../lib/app-config';
import { SWEEP_METRIC } from '../../lambdas/sweeper/metrics';
import { RECORD_CAP_HEADROOM_ALARM } from '../../lib/archive-alarms';
import { buildStack, logicalIdOf, resourcesOfType } from './stack-fixture';

const SECRET_A = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:alibaba/prod-cn-AbCdEf';
const SECRET_B = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:alibaba/intl-GhIjKl';
const ALIBABA = [
  { account: 'prod-cn', regions: ['cn-hangzhou', 'cn-shanghai'], credentialsSecretArn: SECRET_A },
  { account: 'intl', regions: ['ap-southeast-1'], credentialsSecretArn: SECRET_B },
];

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

let template: Template;

beforeAll(() => {
  template = buildStack({ alibaba: ALIBABA }).template;
});

function statementsOf(prefix: string): Statement[] {
  const functions = resourcesOfType(template, 'AWS::Lambda::Function');
  const roleId = (functions[logicalIdOf(template, 'AWS::Lambda::Function', prefix)]?.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('Alibaba Cloud targets in the template', () => {
  it('runs the planner with the Alibaba accounts in its configuration, beside the hub alone', () => {
    const planner = resourcesOfType(template, 'AWS::Lambda::Function')[logicalIdOf(template, 'AWS::Lambda::Function', 'SessionArchiveFanOutPlanner')];
    const variables = (planner?.Properties?.Environment as { Variables: Record<string, string> }).Variables;
    expect(JSON.parse(variables.TARGETS_CONFIG ?? '{}')).toEqual({ alibaba: ALIBABA });
    expect(Object.keys(resourcesOfType(template, 'AWS::SQS::Queue')).some((id) => id.includes('FanOutTargets'))).toBe(true);
  });

  it('lets the sweeper read exactly the configured secrets, and nothing of them reaches an environment', () => {
    const reads = statementsOf('SessionArchiveSweeper').filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(reads).toHaveLength(1);
    expect(reads[0]?.Action).toBe('secretsmanager:GetSecretValue');
    expect([reads[0]?.Resource].flat().sort()).toEqual([SECRET_A, SECRET_B].sort());
    const sweeper = resourcesOfType(template, 'AWS::Lambda::Function')[logicalIdOf(template, 'AWS::Lambda::Function', 'SessionArchiveSweeper')];
    expect(JSON.stringify(sweeper?.Properties?.Environment)).not.toContain('secretsmanager');
  });

  it('alarms on the record-cap headroom before the cap can overflow', () => {
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter((alarm) => alarm.Properties?.MetricName === SWEEP_METRIC.recordCapHeadroom);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({ Threshold: RECORD_CAP_HEADROOM_ALARM, Statistic: 'Maximum', ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarms[0]?.Properties?.Dimensions).toHaveLength(1);
  });

  it('has no headroom alarm and no secret grant without Alibaba targets', () => {
    const plain = buildStack({}).template;
    const alarms = Object.values(resourcesOfType(plain, 'AWS::CloudWatch::Alarm')).filter((alarm) => alarm.Properties?.MetricName === SWEEP_METRIC.recordCapHeadroom);
    expect(alarms).toEqual([]);
    const sweeperPolicies = Object.entries(resourcesOfType(plain, 'AWS::IAM::Policy')).filter(([id]) => id.startsWith('SessionArchiveSweeperRole'));
    expect(sweeperPolicies).toHaveLength(1);
    expect(JSON.stringify(sweeperPolicies)).not.toContain('secretsmanager:GetSecretValue');
  });
});

describe('the alibaba context key', () => {
  const read = (alibaba: unknown) => () => readAppConfig((key: ContextKey) => (key === 'alibaba' ? alibaba : undefined));

  it('names every problem at once, with the key and what it accepts', () => {
    const bad = [
      { account: 'Prod_CN', regions: ['cn-hangzhou'], credentialsSecretArn: SECRET_A },
      { account: 'intl', regions: ['eu-west-1x', 7], credentialsSecretArn: 'secret-name', region: 'x' },
      { account: 'intl', regions: [], credentialsSecretArn: SECRET_B },
    ];
    expect(read(bad)).toThrow(ContextError);
    let message = '';
    try {
      read(bad)();
    } catch (error: unknown) {
      message = (error as Error).message;
    }
    expect(message).toContain('alibaba[0].account must be an account label');
    expect(message).toContain('alibaba[1].regions[1] must be an Alibaba Cloud region id');
    expect(message).toContain('alibaba[1].credentialsSecretArn must be the ARN of a Secrets Manager secret');
    expect(message).toContain('alibaba[1] has an unknown key "region"');
    expect(message).toContain('alibaba[2].account intl is listed twice');
    expect(message).toContain('alibaba[2].regions must be a non-empty list');
  });

  it('accepts JSON text from the command line and refuses what is not a list', () => {
    expect(read(JSON.stringify(ALIBABA))).not.toThrow();
    expect(read('{"account":"x"}')).toThrow(/alibaba must be a non-empty list/);
    expect(read('[oops')).toThrow(/alibaba must be JSON/);
  });
});
