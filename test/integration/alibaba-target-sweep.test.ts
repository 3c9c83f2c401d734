/**
 * An Alibaba target the way the deployed sweeper runs it: planned from the `alibaba` configuration,
 * carried in an SQS message, its AccessKey pair read from Secrets Manager (the emulator) once per
 * container, swept under the target's lease through the Alibaba emulator into dynalite. A failure
 * stays with the target and never shows the secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlibabaCredentials, AlibabaCredentialsError } from '../../lambdas/adapters/alibaba/alibaba-credentials';
import { AlibabaSources } from '../../lambdas/adapters/alibaba/alibaba-sources';
import { createSecretsManagerClient } from '../../lambdas/adapters/aws/secrets-manager-token-secrets';
import { classifyTargetFailure } from '../../lambdas/adapters/aws/target-failures';
import { alibabaTargets, type PlannedTarget } from '../../lambdas/core/targets/target-planner';
import { sweepTarget, TargetSweepError } from '../../lambdas/core/sweep/target-sweep';
import { parseTargetKey, TargetKeyError } from '../../lambdas/core/targets/targets';
import { InvalidTargetEventError, targetRequestsOf } from '../../lambdas/sweeper/target-event';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../local/emulators/secrets-manager';
import { TEST_KEY } from '../support/alibaba';
import { startAlibabaSweepRig, type AlibabaSweepRig } from '../support/alibaba-sweep-rig';

const T0 = Date.UTC(2026, 10, 3);
const DAY = 86_400_000;

let secrets: SecretsManagerEmulator;
let rig: AlibabaSweepRig;
beforeAll(async () => {
  secrets = await startSecretsManagerEmulator({ region: 'eu-west-1' });
  rig = await startAlibabaSweepRig(T0);
  rig.emulator.generateSessions({ count: 150, seed: 2, fromMs: T0 - 20 * DAY, toMs: T0 - 12 * DAY, regionId: 'cn-shanghai' });
});
afterAll(async () => {
  await rig?.close();
  await secrets?.close();
});

/** The planned target, through an SQS message body, as the sweeper receives it. */
function received(secretArn: string): PlannedTarget {
  const [planned] = alibabaTargets([{ account: 'prod-cn', regions: ['cn-shanghai'], credentialsSecretArn: secretArn }]);
  const [request] = targetRequestsOf({ Records: [{ messageId: 'm-1', body: JSON.stringify(planned) }] }, { accountId: '123456789012', region: 'eu-west-1' });
  return request?.target as PlannedTarget;
}

function portsWith(credentials: AlibabaCredentials) {
  const sources = new AlibabaSources({ credentials, clock: rig.clock, endpoint: rig.emulator.url });
  return (target: PlannedTarget) => ({ store: rig.store, clock: rig.clock, openSource: async () => sources.open(target), classify: classifyTargetFailure });
}

describe('an Alibaba target in the sweeper', () => {
  it('is planned, queued, signed in with the secret read once, and swept', async () => {
    const arn = secrets.createSecret('alibaba/prod-cn', JSON.stringify(TEST_KEY));
    const target = received(arn);
    expect(target).toMatchObject({ key: 'alibaba#prod-cn#cn-shanghai', source: 'alibaba', access: { kind: 'secret', secretArn: arn } });
    const credentials = new AlibabaCredentials(createSecretsManagerClient({ region: 'eu-west-1', endpoint: secrets.endpoint }));
    const ports = portsWith(credentials);
    const first = await sweepTarget(target, ports(target));
    expect(first).toMatchObject({ status: 'swept', summary: { source: 'alibaba', accountId: 'prod-cn', region: 'cn-shanghai', written: 150, complete: true } });
    rig.emulator.advance(15 * 60_000);
    const second = await sweepTarget(target, ports(target));
    expect(second).toMatchObject({ status: 'swept', summary: { written: 0, sourceCalls: 1 } });
    expect(secrets.requests.filter((request) => request.secretId === arn)).toHaveLength(1);
  });

  it('keeps a wrong key pair as the target\'s access-denied failure, never showing the secret', async () => {
    const arn = secrets.createSecret('alibaba/wrong', JSON.stringify({ accessKeyId: TEST_KEY.accessKeyId, accessKeySecret: 'a-wrong-secret-value' }));
    const target = received(arn);
    const failure = await sweepTarget(target, portsWith(new AlibabaCredentials(createSecretsManagerClient({ region: 'eu-west-1', endpoint: secrets.endpoint })))(target)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TargetSweepError);
    expect((failure as TargetSweepError).kind).toBe('access-denied');
    expect((failure as Error).message).toContain('SignatureDoesNotMatch');
    expect((failure as Error).message).not.toContain('a-wrong-secret-value');
    const state = await rig.store.loadSweepState(target);
    expect(state?.lastError?.kind).toBe('access-denied');
  });

  it('names a malformed secret by its ARN only', async () => {
    const arn = secrets.createSecret('alibaba/malformed', '{"accessKeyId":"LTAI-only-the-id","accessKeySecret":""}');
    const credentials = new AlibabaCredentials(createSecretsManagerClient({ region: 'eu-west-1', endpoint: secrets.endpoint }));
    const error = await credentials.keyFor(arn).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AlibabaCredentialsError);
    expect((error as Error).message).toBe(`secret ${arn} lacks accessKeyId or accessKeySecret; store a JSON object { "accessKeyId": "…", "accessKeySecret": "…" }`);
  });

  it('parses and refuses target keys per source, and refuses an Alibaba message with an AWS role', () => {
    expect(parseTargetKey('alibaba#prod-cn#cn-hangzhou')).toEqual({ source: 'alibaba', accountId: 'prod-cn', region: 'cn-hangzhou' });
    expect(parseTargetKey('alibaba#1234567890123456#ap-southeast-1')).toEqual({ source: 'alibaba', accountId: '1234567890123456', region: 'ap-southeast-1' });
    expect(() => parseTargetKey('alibaba#Prod_CN#cn-hangzhou')).toThrow(TargetKeyError);
    expect(() => parseTargetKey('ssm#prod-cn#eu-west-1')).toThrow('a ssm target key is like ssm#123456789012#eu-west-1');
    expect(() => parseTargetKey('gcp#x#y')).toThrow('with source ssm or alibaba');
    const body = JSON.stringify({ source: 'alibaba', accountId: 'prod-cn', region: 'cn-hangzhou', key: 'alibaba#prod-cn#cn-hangzhou', access: { kind: 'assume-role', roleArn: 'arn:aws:iam::123456789012:role/x' } });
    expect(() => targetRequestsOf({ Records: [{ messageId: 'm-2', body }] }, { accountId: '123456789012', region: 'eu-west-1' })).toThrow(InvalidTargetEventError);
  });
});
