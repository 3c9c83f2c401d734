/**
 * The V3 signer against Alibaba Cloud's published examples ("Request syntax and signature method
 * V3": RunInstances on ecs.cn-shanghai.aliyuncs.com with the documented placeholder key pair).
 */
import { describe, expect, it } from 'vitest';
import { canonicalQuery, signAcs3 } from '../../lambdas/adapters/alibaba/acs3-signer';

const DOCUMENTED_KEYS = { accessKeyId: 'YourAccessKeyId', accessKeySecret: 'YourAccessKeySecret' };
const RUN_INSTANCES = {
  method: 'POST',
  host: 'ecs.cn-shanghai.aliyuncs.com',
  query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
  action: 'RunInstances',
  version: '2014-05-26',
};
const SIGNED_HEADERS = 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version';

describe('signAcs3 (ACS3-HMAC-SHA256)', () => {
  it('reproduces the signature of the documented worked example', () => {
    const headers = signAcs3(RUN_INSTANCES, DOCUMENTED_KEYS, { date: new Date('2023-10-26T10:22:32Z'), nonce: '3156853299f313e23d1673dc12e1703d' });
    expect(headers.authorization).toBe(
      `ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=${SIGNED_HEADERS},Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0`,
    );
    expect(headers['x-acs-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(headers['x-acs-date']).toBe('2023-10-26T10:22:32Z');
  });

  it('reproduces the signature of the documented request-header example', () => {
    const headers = signAcs3(RUN_INSTANCES, DOCUMENTED_KEYS, { date: new Date('2023-10-26T09:01:01Z'), nonce: 'd410180a5abf7fe235dd9b74aca91fc0' });
    expect(headers.authorization).toMatch(/,Signature=e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804$/);
  });

  it('changes the signature when any signed part changes', () => {
    const base = signAcs3(RUN_INSTANCES, DOCUMENTED_KEYS, { date: new Date('2023-10-26T10:22:32Z'), nonce: 'n' }).authorization;
    const variants = [
      signAcs3({ ...RUN_INSTANCES, query: { ...RUN_INSTANCES.query, RegionId: 'cn-beijing' } }, DOCUMENTED_KEYS, { date: new Date('2023-10-26T10:22:32Z'), nonce: 'n' }),
      signAcs3({ ...RUN_INSTANCES, body: 'a=1' }, DOCUMENTED_KEYS, { date: new Date('2023-10-26T10:22:32Z'), nonce: 'n' }),
      signAcs3(RUN_INSTANCES, { ...DOCUMENTED_KEYS, accessKeySecret: 'other' }, { date: new Date('2023-10-26T10:22:32Z'), nonce: 'n' }),
      signAcs3(RUN_INSTANCES, DOCUMENTED_KEYS, { date: new Date('2023-10-26T10:22:33Z'), nonce: 'n' }),
    ];
    for (const variant of variants) expect(variant.authorization).not.toBe(base);
  });

  it('signs content-type and extra x-acs-* headers, lower-cased', () => {
    const headers = signAcs3({ ...RUN_INSTANCES, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Acs-Extra': 'v' } }, DOCUMENTED_KEYS, { date: new Date(0), nonce: 'n' });
    expect(headers.authorization).toContain('SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-extra;x-acs-signature-nonce;x-acs-version,');
  });

  it('percent-encodes the query per RFC 3986 (space as %20, * and ~ as Alibaba expects)', () => {
    expect(canonicalQuery({ b: 'x y*', a: "~!'()" })).toBe('a=~%21%27%28%29&b=x%20y%2A');
  });
});
