/**
 * The Secrets Manager emulator on the wire (AWS JSON 1.1, as the SDK sends it): values by version
 * stage, rotation moving AWSCURRENT to AWSPREVIOUS, and errors named as Secrets Manager names them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../local/emulators/secrets-manager';

let emulator: SecretsManagerEmulator;
beforeAll(async () => {
  emulator = await startSecretsManagerEmulator({ region: 'eu-west-1' });
});
afterAll(async () => emulator?.close());

async function call(target: string, body: unknown): Promise<{ status: number; errorType: string | null; body: Record<string, unknown> }> {
  const response = await fetch(emulator.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: (await response.json()) as Record<string, unknown> };
}

const get = (body: unknown) => call('secretsmanager.GetSecretValue', body);

describe('Secrets Manager emulator', () => {
  it('serves AWSCURRENT by ARN or name, and AWSPREVIOUS only after a rotation', async () => {
    const arn = emulator.createSecret('token-key', 'first-value');
    expect(arn).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-key-[A-Za-z0-9_-]{6}$/);
    const current = await get({ SecretId: arn, VersionStage: 'AWSCURRENT' });
    expect(current).toMatchObject({ status: 200, body: { ARN: arn, Name: 'token-key', SecretString: 'first-value', VersionStages: ['AWSCURRENT'] } });
    expect((await get({ SecretId: 'token-key' })).body.SecretString).toBe('first-value');
    expect(await get({ SecretId: arn, VersionStage: 'AWSPREVIOUS' })).toMatchObject({ status: 400, errorType: 'ResourceNotFoundException' });

    emulator.rotateSecret(arn, 'second-value');
    emulator.rotateSecret(arn, 'third-value');
    expect((await get({ SecretId: arn, VersionStage: 'AWSCURRENT' })).body.SecretString).toBe('third-value');
    expect((await get({ SecretId: arn, VersionStage: 'AWSPREVIOUS' })).body.SecretString).toBe('second-value');
    const byId = await get({ SecretId: arn, VersionId: current.body.VersionId });
    expect(byId.body).toMatchObject({ SecretString: 'first-value', VersionStages: [] });
    expect(emulator.requests.at(-1)).toEqual({ secretId: arn, versionId: current.body.VersionId });
  });

  it('answers unknown secrets, bad input and other operations with Secrets Manager errors', async () => {
    expect(await get({ SecretId: 'no-such-secret' })).toMatchObject({ status: 400, errorType: 'ResourceNotFoundException', body: { __type: 'ResourceNotFoundException' } });
    expect(await get({})).toMatchObject({ status: 400, errorType: 'InvalidParameterException', body: { message: 'SecretId is required' } });
    expect(await get({ SecretId: 7 })).toMatchObject({ status: 400, errorType: 'InvalidParameterException' });
    expect(await get('{not json')).toMatchObject({ status: 400, errorType: 'SerializationException' });
    expect(await call('secretsmanager.PutSecretValue', { SecretId: 'x' })).toMatchObject({ status: 400, errorType: 'UnknownOperationException' });
  });
});
