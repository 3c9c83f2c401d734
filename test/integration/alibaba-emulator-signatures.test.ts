/**
 * Signature checks of the Alibaba emulator, seen through the official SDK: V3 (default) and V2
 * (`signatureAlgorithm: 'v2'`) accepted with the right key pair; a wrong secret, an unknown key, a
 * query changed after signing, a stale date and a replayed nonce refused with Alibaba's codes.
 * Also our own V3 signer against the emulator and against the SDK's signature of the same request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAcs3, canonicalQuery } from '../../lambdas/adapters/alibaba/acs3-signer';
import { ManualClock, type AlibabaEmulator } from '../../local/emulators/alibaba';
import { describeSessions, emulatorEcsClient, tamperingProxy, type TamperingProxy } from '../../local/emulators/alibaba/clients';
import { DAY, failureOf, NOW, sdkClient, startTestEmulator, TEST_KEY } from '../support/alibaba';

const SIGNATURES = [{ name: 'V3', signatureAlgorithm: undefined }, { name: 'V2', signatureAlgorithm: 'v2' as const }];

describe('signatures', () => {
  let emulator: AlibabaEmulator;
  const proxies: TamperingProxy[] = [];
  beforeAll(async () => {
    emulator = await startTestEmulator();
    emulator.generateSessions({ count: 30, seed: 8, fromMs: NOW - 3 * DAY, toMs: NOW });
  });
  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await emulator.close();
  });

  describe.each(SIGNATURES)('$name', ({ signatureAlgorithm }) => {
    const options = signatureAlgorithm ? { signatureAlgorithm } : {};

    it('accepts the configured key pair', async () => {
      const before = { ...emulator.stats.bySignature };
      const response = await describeSessions(sdkClient(emulator, options), { regionId: 'cn-hangzhou', maxResults: 5 });
      expect(response.body?.sessions?.session).toHaveLength(5);
      const version = signatureAlgorithm === 'v2' ? 'v2' : 'v3';
      expect(emulator.stats.bySignature[version]).toBe(before[version] + 1);
    });

    it('refuses a wrong secret: SignatureDoesNotMatch (400)', async () => {
      const failure = await failureOf(describeSessions(sdkClient(emulator, { ...options, accessKeySecret: 'not-the-secret' }), { regionId: 'cn-hangzhou' }));
      expect(failure).toMatchObject({ type: 'ClientError', code: 'SignatureDoesNotMatch', statusCode: 400 });
    });

    it('refuses an unknown key: InvalidAccessKeyId.NotFound (404)', async () => {
      const failure = await failureOf(describeSessions(sdkClient(emulator, { ...options, accessKeyId: 'LTAI5tSomebodyElse' }), { regionId: 'cn-hangzhou' }));
      expect(failure).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', statusCode: 404 });
    });

    it('refuses a query changed after signing: SignatureDoesNotMatch', async () => {
      const proxy = await tamperingProxy(emulator.endpoint, (request) => ({ ...request, url: request.url.replace('MaxResults=5', 'MaxResults=6') }));
      proxies.push(proxy);
      const client = emulatorEcsClient(proxy.endpoint, { ...TEST_KEY, ...options });
      const failure = await failureOf(describeSessions(client, { regionId: 'cn-hangzhou', maxResults: 5 }));
      expect(proxy.captured[0]?.url).toContain('MaxResults=5');
      expect(failure.code).toBe('SignatureDoesNotMatch');
    });

    it('refuses a replayed request: SignatureNonceUsed', async () => {
      const proxy = await tamperingProxy(emulator.endpoint, (request) => request, true);
      proxies.push(proxy);
      const failure = await failureOf(describeSessions(emulatorEcsClient(proxy.endpoint, { ...TEST_KEY, ...options }), { regionId: 'cn-hangzhou' }));
      expect(failure.code).toBe('SignatureNonceUsed');
    });
  });

  it('refuses requests dated more than 15 minutes from its clock: InvalidTimeStamp.Expired (V3 and V2)', async () => {
    const skewed = await startTestEmulator({ signingClock: new ManualClock(Date.now() + 16 * 60_000) });
    try {
      for (const { signatureAlgorithm } of SIGNATURES) {
        const failure = await failureOf(describeSessions(sdkClient(skewed, signatureAlgorithm ? { signatureAlgorithm } : {}), { regionId: 'cn-hangzhou' }));
        expect(failure).toMatchObject({ code: 'InvalidTimeStamp.Expired', statusCode: 400 });
      }
    } finally {
      await skewed.close();
    }
  });

  it('accepts requests dated within 15 minutes', async () => {
    const skewed = await startTestEmulator({ signingClock: new ManualClock(Date.now() + 14 * 60_000) });
    try {
      expect((await describeSessions(sdkClient(skewed), { regionId: 'cn-hangzhou' })).statusCode).toBe(200);
    } finally {
      await skewed.close();
    }
  });

  it('refuses a request with neither signature: IncompleteSignature', async () => {
    const response = await fetch(`${emulator.url}/?RegionId=cn-hangzhou`, { method: 'POST', headers: { 'x-acs-action': 'DescribeTerminalSessions', 'x-acs-version': '2014-05-26' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { Code: string }).Code).toBe('IncompleteSignature');
  });

  describe('our own V3 signer', () => {
    const query = { MaxResults: '7', RegionId: 'cn-hangzhou' };
    const request = { method: 'POST', host: '', query, action: 'DescribeTerminalSessions', version: '2014-05-26' };

    it('is accepted by the emulator', async () => {
      const headers = signAcs3({ ...request, host: emulator.endpoint }, TEST_KEY);
      const response = await fetch(`${emulator.url}/?${canonicalQuery(query)}`, { method: 'POST', headers });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { Sessions: { Session: unknown[] } }).Sessions.Session).toHaveLength(7);
    });

    it('refuses what it signed once the query changes, and a stale date', async () => {
      const headers = signAcs3({ ...request, host: emulator.endpoint }, TEST_KEY);
      const altered = await fetch(`${emulator.url}/?MaxResults=8&RegionId=cn-hangzhou`, { method: 'POST', headers });
      expect(((await altered.json()) as { Code: string }).Code).toBe('SignatureDoesNotMatch');
      const stale = signAcs3({ ...request, host: emulator.endpoint }, TEST_KEY, { date: new Date(Date.now() - 20 * 60_000) });
      const staleAnswer = await fetch(`${emulator.url}/?${canonicalQuery(query)}`, { method: 'POST', headers: stale });
      expect(((await staleAnswer.json()) as { Code: string }).Code).toBe('InvalidTimeStamp.Expired');
    });

    it('computes the same signature as the SDK for the same request', async () => {
      const proxy = await tamperingProxy(emulator.endpoint);
      proxies.push(proxy);
      await describeSessions(emulatorEcsClient(proxy.endpoint, TEST_KEY), { regionId: 'cn-hangzhou', maxResults: 7 });
      const sent = proxy.captured[0];
      const header = (name: string): string => String(sent?.headers[name] ?? '');
      const extra = { 'x-acs-credentials-provider': header('x-acs-credentials-provider') };
      const ours = signAcs3({ ...request, host: header('host'), headers: extra }, TEST_KEY, { date: new Date(header('x-acs-date')), nonce: header('x-acs-signature-nonce') });
      expect(ours.authorization).toBe(header('authorization'));
    });
  });
});
