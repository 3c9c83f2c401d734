import { describe, expect, it } from 'vitest';
import { staleTargets } from '../../lambdas/core/targets/plan-run';
import { EMPTY_SWEEP_STATE } from '../../lambdas/core/sweep/sweep-state';
import type { PlannedTarget } from '../../lambdas/core/targets/target-planner';
import { readPlannerConfig } from '../../lambdas/planner/config';
import { InvalidTargetEventError, targetRequestsOf } from '../../lambdas/sweeper/target-event';

const HOUR = 3_600_000;
const now = Date.UTC(2026, 10, 1);
const target = (accountId: string, region = 'eu-west-1'): PlannedTarget => ({
  source: 'ssm',
  accountId,
  region,
  key: `ssm#${accountId}#${region}`,
  access: { kind: 'assume-role', roleArn: `arn:aws:iam::${accountId}:role/SessionArchiveMember`, externalId: 'x1' },
});

describe('the sweeper reads its targets', () => {
  it('from SQS records, one target each, with the message id to report it alone', () => {
    const event = { Records: [{ messageId: 'm-1', body: JSON.stringify(target('210987654321')) }] };
    expect(targetRequestsOf(event, { accountId: '123456789012', region: 'us-east-1' })).toEqual([{ messageId: 'm-1', target: target('210987654321') }]);
  });

  it("from a direct schedule: the hub's own account and region, with its own credentials", () => {
    expect(targetRequestsOf({ source: 'aws.events' }, { accountId: '123456789012', region: 'us-east-1' })).toEqual([
      { target: { source: 'ssm', accountId: '123456789012', region: 'us-east-1', key: 'ssm#123456789012#us-east-1', access: { kind: 'hub' } } },
    ]);
  });

  it('refuses a record that is not a target, naming the message and the field', () => {
    const bad = { Records: [{ messageId: 'm-9', body: JSON.stringify({ ...target('210987654321'), accountId: '42' }) }] };
    expect(() => targetRequestsOf(bad, { accountId: '123456789012', region: 'us-east-1' })).toThrow(InvalidTargetEventError);
    expect(() => targetRequestsOf(bad, { accountId: '123456789012', region: 'us-east-1' })).toThrow(/m-9 is not a target: accountId/);
    const mismatched = { Records: [{ messageId: 'm-8', body: JSON.stringify({ ...target('210987654321'), key: 'ssm#111111111111#eu-west-1' }) }] };
    expect(() => targetRequestsOf(mismatched, { accountId: '123456789012', region: 'us-east-1' })).toThrow(/does not name its target/);
    expect(() => targetRequestsOf({ Records: [{ messageId: 'm-7', body: '{not json' }] }, { accountId: '123456789012', region: 'us-east-1' })).toThrow(/m-7 is not a target/);
  });
});

describe('stale targets', () => {
  it('counts targets whose last complete sweep is older than the threshold; new ones are not stale', () => {
    const states = [
      { scope: target('111111111111'), state: { ...EMPTY_SWEEP_STATE, lastCompletedAt: now - HOUR } },
      { scope: target('222222222222'), state: { ...EMPTY_SWEEP_STATE, lastCompletedAt: now - 7 * HOUR, lastError: { kind: 'access-denied' as const, message: 'denied', since: now - 5 * HOUR } } },
      { scope: target('333333333333'), state: { ...EMPTY_SWEEP_STATE, lastError: { kind: 'role-missing' as const, message: 'no role', since: now - 8 * HOUR } } },
    ];
    const planned = ['111111111111', '222222222222', '333333333333', '444444444444'].map((id) => target(id));
    const { stale, failing } = staleTargets(planned, states, now, 6 * HOUR);
    expect(stale.map((entry) => entry.target)).toEqual(['ssm#222222222222#eu-west-1', 'ssm#333333333333#eu-west-1']);
    expect(failing).toBe(2);
  });
});

describe('planner configuration', () => {
  const base = { TABLE_NAME: 'archive', TARGET_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/targets', AWS_REGION: 'eu-west-1' };
  it('defaults to the hub alone and a 6-hour stale threshold', () => {
    expect(readPlannerConfig(base)).toMatchObject({ targets: { mode: 'hub' }, staleAfterHours: 6 });
  });
  it('reads the organisation mode and names every bad value', () => {
    const config = readPlannerConfig({ ...base, TARGETS_CONFIG: JSON.stringify({ organization: { organizationalUnitIds: ['ou-abcd-11111111'], regions: ['us-east-1'] } }) });
    expect(config.targets).toMatchObject({ mode: 'organization' });
    expect(() => readPlannerConfig({ TARGETS_CONFIG: '{oops', STALE_AFTER_HOURS: '0' })).toThrow(
      /TABLE_NAME is required.*TARGET_QUEUE_URL is required.*AWS_REGION is required.*STALE_AFTER_HOURS must be a positive whole number of hours, got "0".*TARGETS_CONFIG: /,
    );
  });
});
