/**
 * SigV4 for the query API: the signer reproduces AWS's published test vectors, and for an API
 * Gateway request with temporary credentials it agrees with the algorithm written out by hand.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiClient, encodeQuery, isAwsHost, regionOfAwsHost, signRequest } from '../../bin/commands/signed-fetch';

// The credentials and date of the AWS Signature Version 4 test suite.
const SUITE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SUITE_DATE = new Date('2015-08-30T12:36:00Z');

describe('SigV4 against the AWS test suite', () => {
  it('signs "get-vanilla" exactly as published', async () => {
    const headers = await signRequest(
      { method: 'GET', url: new URL('https://example.amazonaws.com/'), headers: {} },
      { region: 'us-east-1', service: 'service', credentials: SUITE_CREDENTIALS, signingDate: SUITE_DATE },
    );

    expect(headers['x-amz-date']).toBe('20150830T123600Z');
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, ' +
        'Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('signs "get-vanilla-query-order-key-case" exactly as published (query sorted by name)', async () => {
    const headers = await signRequest(
      { method: 'GET', url: new URL('https://example.amazonaws.com/?Param2=value2&Param1=value1'), headers: {} },
      { region: 'us-east-1', service: 'service', credentials: SUITE_CREDENTIALS, signingDate: SUITE_DATE },
    );

    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, ' +
        'Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    );
  });
});

/** The SigV4 steps as the AWS documentation lists them, for one GET without a body. */
function signByHand(input: { host: string; canonicalUri: string; canonicalQuery: string; headers: Record<string, string>; amzDate: string; region: string; secret: string; accessKeyId: string }): string {
  const names = Object.keys(input.headers).sort();
  const canonicalHeaders = names.map((name) => `${name}:${input.headers[name]}\n`).join('');
  const signedHeaders = names.join(';');
  const emptyBodyHash = createHash('sha256').update('').digest('hex');
  const canonicalRequest = ['GET', input.canonicalUri, input.canonicalQuery, canonicalHeaders, signedHeaders, emptyBodyHash].join('\n');
  const day = input.amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/execute-api/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', input.amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${input.secret}`, day), input.region), 'execute-api'), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

describe('SigV4 for API Gateway', () => {
  it('signs a request with a session token, a path to encode twice and a query to encode once, as the documented algorithm does', async () => {
    const credentials = { accessKeyId: 'ASIAEXAMPLEEXAMPLE00', secretAccessKey: 'example/secret+key', sessionToken: 'token/with+chars=' };
    const query = encodeQuery([
      ['reason', 'disk full (INC+1)'],
      ['from', '2026-01-01T00:00:00Z'],
      ['format', 'json'],
    ]);
    const url = new URL(`https://abc123.execute-api.eu-west-1.amazonaws.com/prod/sessions/alice%40example.com-0abc?${query}`);

    const headers = await signRequest(
      { method: 'GET', url, headers: { accept: 'application/json' } },
      { region: 'eu-west-1', credentials, signingDate: new Date('2026-01-02T03:04:05Z') },
    );

    expect(query).toBe('format=json&from=2026-01-01T00%3A00%3A00Z&reason=disk%20full%20%28INC%2B1%29');
    expect(headers['x-amz-security-token']).toBe('token/with+chars=');
    expect(headers.authorization).toBe(
      signByHand({
        host: url.host,
        // Every service but S3 takes the already-encoded path encoded once more.
        canonicalUri: '/prod/sessions/alice%2540example.com-0abc',
        canonicalQuery: query,
        headers: {
          accept: 'application/json',
          host: 'abc123.execute-api.eu-west-1.amazonaws.com',
          'x-amz-date': '20260102T030405Z',
          'x-amz-security-token': 'token/with+chars=',
        },
        amzDate: '20260102T030405Z',
        region: 'eu-west-1',
        secret: credentials.secretAccessKey,
        accessKeyId: credentials.accessKeyId,
      }),
    );
  });
});

describe('which requests are signed, and for which region', () => {
  it.each([
    ['abc123.execute-api.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['abc123-vpce-0a1b2c3d.execute-api.us-gov-west-1.vpce.amazonaws.com', 'us-gov-west-1'],
    ['abc123.execute-api.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['archive.example.com', undefined],
    ['127.0.0.1', undefined],
  ])('reads the region of %s as %s', (host, region) => {
    expect(regionOfAwsHost(host)).toBe(region);
  });

  it.each([
    ['abc123.execute-api.eu-west-1.amazonaws.com', true],
    ['ABC123.EXECUTE-API.EU-WEST-1.AMAZONAWS.COM', true],
    ['localhost', false],
    ['127.0.0.1', false],
    ['amazonaws.com.evil.example', false],
  ])('treats %s as an AWS host: %s', (host, expected) => {
    expect(isAwsHost(host)).toBe(expected);
  });

  it('signs by default for API Gateway and never for the local API', () => {
    expect(new ApiClient(new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/prod'), { sign: 'auto' }).signs).toBe(true);
    expect(new ApiClient(new URL('http://127.0.0.1:3000'), { sign: 'auto' }).signs).toBe(false);
  });

  it('follows --sign and --no-sign over the host', () => {
    const forced = new ApiClient(new URL('https://archive.example.com'), { sign: true, region: 'eu-central-1' });
    expect(forced.signs).toBe(true);
    expect(forced.signingRegion).toBe('eu-central-1');
    expect(new ApiClient(new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/prod'), { sign: false }).signs).toBe(false);
  });
});
