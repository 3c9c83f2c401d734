/**
 * The Alibaba source adapter (our V3 signer over fetch) against the emulator: full listings,
 * resuming from a kept token, a refused token, retries through throttling, 500s and dropped
 * connections, the endpoint rule (checked against the official SDK's) and the clock offset.
 * Ground truth: the pages the emulator recorded as shown.
 */
import Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlibabaTerminalSource, retryDecision, type AlibabaTerminalSourceOptions } from '../../lambdas/adapters/alibaba/alibaba-terminal-source';
import { AlibabaApiCallError, ecsEndpointUrl, explicitEndpointUrl, InvalidEndpointError } from '../../lambdas/adapters/alibaba/alibaba-rpc-client';
import { ListingTokenRejectedError, type SourcePage } from '../../lambdas/core/sweep/ports';
import { ALIBABA_REGIONS, type AlibabaEmulator } from '../../local/emulators/alibaba';
import { DAY, NOW, startTestEmulator, TEST_KEY } from '../support/alibaba';

const noWait = { sleep: async () => undefined, random: () => 0.5 };

function sourceFor(emulator: AlibabaEmulator, options: Partial<AlibabaTerminalSourceOptions> = {}): AlibabaTerminalSource {
  return new AlibabaTerminalSource({ ...TEST_KEY, accountLabel: 'prod', region: 'cn-hangzhou', endpoint: emulator.url, retry: noWait, ...options });
}

async function collect(pages: AsyncIterable<SourcePage>, limit = Infinity): Promise<SourcePage[]> {
  const collected: SourcePage[] = [];
  for await (const page of pages) {
    collected.push(page);
    if (collected.length >= limit) break;
  }
  return collected;
}

describe('AlibabaTerminalSource', () => {
  let emulator: AlibabaEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator({ clockOffsetMs: 0 });
    emulator.generateSessions({ count: 1250, seed: 17, fromMs: NOW - 35 * DAY, toMs: NOW, reconnectFraction: 0.3 });
  });
  afterAll(() => emulator.close());

  it('describes itself: scope alibaba#<label>#<region>, 30 days, 1,000 records', () => {
    const source = sourceFor(emulator);
    expect(source.scope).toEqual({ source: 'alibaba', accountId: 'prod', region: 'cn-hangzhou' });
    expect(source.historyRetentionMs).toBe(30 * DAY);
    expect(source.recordCap).toBe(1000);
    expect(source.endpoint).toBe(emulator.endpoint);
  });

  it('lists every retained session once, in pages of 100, mapped from what the emulator showed', async () => {
    emulator.shown.clear();
    const pages = await collect(sourceFor(emulator).listPages());
    const shown = emulator.shown.pages();
    expect(pages).toHaveLength(shown.length);
    expect(shown.every((page) => page.sessions.length <= 100)).toBe(true);
    const listed = pages.flatMap((page) => page.sessions);
    expect(listed.map((session) => session.sessionId)).toEqual(shown.flatMap((page) => page.sessions.map((session) => session.SessionId)));
    expect(new Set(listed.map((session) => session.sessionId)).size).toBe(emulator.retained().length);
    expect(pages.at(-1)?.nextToken).toBeUndefined();
    expect(pages.slice(0, -1).every((page, index) => page.nextToken === shown[index]?.nextToken)).toBe(true);
    expect(emulator.shown.listings()).toEqual([expect.objectContaining({ complete: true, pages: pages.length, sessionIds: listed.map((session) => session.sessionId) })]);
    const byId = new Map(shown.flatMap((page) => page.sessions).map((session) => [session.SessionId, session]));
    for (const session of listed) {
      const wire = byId.get(session.sessionId);
      expect(Date.parse(session.startDate)).toBe(Date.parse(wire?.CreationTime ?? ''));
      expect(session.owner).toBe(wire?.PrincipalId);
      expect((session as { connections?: unknown[] }).connections ?? []).toHaveLength(wire?.Connections?.Connection?.length ?? 0);
    }
  });

  it('resumes a listing from a kept token', async () => {
    const [first] = await collect(sourceFor(emulator).listPages(), 1);
    emulator.shown.clear();
    const rest = await collect(sourceFor(emulator).listPages(first?.nextToken));
    expect(emulator.shown.pages()[0]?.startToken).toBe(first?.nextToken);
    const ids = [...(first?.sessions ?? []), ...rest.flatMap((page) => page.sessions)].map((session) => session.sessionId);
    expect(new Set(ids).size).toBe(emulator.retained().length);
    // A token the recorder never saw given (the log was cleared) starts a listing of its own, followed to its end.
    expect(emulator.shown.listings()).toHaveLength(1);
    expect(emulator.shown.listings()[0]).toMatchObject({ complete: true, pages: rest.length });
    expect(emulator.shown.listings()[0]?.sessionIds).toEqual(ids.slice(first?.sessions.length));
  });

  it('throws ListingTokenRejectedError when Alibaba refuses the kept token', async () => {
    await expect(collect(sourceFor(emulator).listPages('not-a-token'))).rejects.toBeInstanceOf(ListingTokenRejectedError);
  });

  it('measures the clock offset from the Date header', async () => {
    emulator.setClockOffset(0);
    const source = sourceFor(emulator, { clock: { now: () => NOW - 90_000 } });
    expect(source.sourceClockOffsetMs()).toBeUndefined();
    await collect(source.listPages(), 1);
    expect(source.sourceClockOffsetMs()).toBe(90_000);
  });
});

describe('retries', () => {
  let emulator: AlibabaEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    emulator.generateSessions({ count: 450, seed: 19, fromMs: NOW - 10 * DAY, toMs: NOW });
  });
  afterAll(() => emulator.close());

  it('gets through throttling, 500s and dropped connections with bounded back-off: nothing lost or repeated', async () => {
    emulator.setFaults({ seed: 4, throttleRate: 0.25, errorRate: 0.15, dropRate: 0.1 });
    emulator.resetStats();
    emulator.shown.clear();
    const waits: number[] = [];
    const source = sourceFor(emulator, { retry: { maxAttempts: 10, sleep: async (ms) => void waits.push(ms), random: () => 0.5 } });
    const ids = (await collect(source.listPages())).flatMap((page) => page.sessions.map((session) => session.sessionId));
    emulator.setFaults(undefined);
    expect(ids).toHaveLength(450);
    expect(new Set(ids).size).toBe(450);
    expect(ids).toEqual(emulator.shown.pages().flatMap((page) => page.sessions.map((session) => session.SessionId)));
    expect(emulator.stats.faultsInjected).toBeGreaterThan(0);
    expect(waits).toHaveLength(emulator.stats.faultsInjected);
    expect(Math.max(...waits)).toBeLessThanOrEqual(10_000);
  });

  it('gives up after maxAttempts and surfaces the last error', async () => {
    emulator.setFaults({ throttleRate: 1 });
    const waits: number[] = [];
    const source = sourceFor(emulator, { retry: { maxAttempts: 4, sleep: async (ms) => void waits.push(ms), random: () => 0.99 } });
    await expect(collect(source.listPages())).rejects.toMatchObject({ name: 'AlibabaApiCallError', code: 'Throttling.User', statusCode: 400 });
    emulator.setFaults(undefined);
    expect(waits).toEqual([198, 396, 792]);
  });

  it('does not retry what another try cannot fix, and does retry what it may', () => {
    const answer = (code: string, status: number): AlibabaApiCallError => new AlibabaApiCallError(code, status, undefined, code);
    expect(retryDecision(answer('InvalidParameter.MaxResults', 400)).retry).toBe(false);
    expect(retryDecision(answer('SignatureDoesNotMatch', 400)).retry).toBe(false);
    expect(retryDecision(answer('Throttling', 400)).retry).toBe(true);
    expect(retryDecision(answer('ServiceUnavailable', 503)).retry).toBe(true);
    expect(retryDecision(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })).retry).toBe(true);
    expect(retryDecision(new DOMException('timed out', 'TimeoutError')).retry).toBe(true);
    expect(retryDecision(new RangeError('a bug')).retry).toBe(false);
  });

  it('surfaces the error of a request Alibaba refuses, with its code and status', async () => {
    const source = sourceFor(emulator, { accessKeySecret: 'wrong' });
    await expect(collect(source.listPages())).rejects.toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
  });
});

describe('endpoints', () => {
  const remote = (region: string): AlibabaTerminalSource => new AlibabaTerminalSource({ ...TEST_KEY, accountLabel: 'prod', region });
  const sdkEndpoint = (region: string): string => new Ecs(new $OpenApiUtil.Config({ ...TEST_KEY, regionId: region }))._endpoint;

  it("follows Alibaba's rule, the same host as the official SDK for every public region", () => {
    expect(remote('eu-central-1').endpoint).toBe('ecs.eu-central-1.aliyuncs.com');
    expect(remote('cn-hangzhou').endpoint).toBe('ecs-cn-hangzhou.aliyuncs.com');
    for (const region of ALIBABA_REGIONS) expect(remote(region).endpoint).toBe(sdkEndpoint(region));
    expect(ecsEndpointUrl('ap-southeast-1')).toBe('https://ecs.ap-southeast-1.aliyuncs.com');
    expect(() => ecsEndpointUrl('Not A Region')).toThrow(InvalidEndpointError);
  });

  it('takes an explicit endpoint as http(s)://host[:port] and refuses anything else', () => {
    expect(explicitEndpointUrl('http://127.0.0.1:4600')).toBe('http://127.0.0.1:4600');
    expect(explicitEndpointUrl('ecs.example.com')).toBe('https://ecs.example.com');
    expect(() => explicitEndpointUrl('ftp://x')).toThrow(InvalidEndpointError);
    expect(() => explicitEndpointUrl('http://x/path')).toThrow(InvalidEndpointError);
  });

  it('needs both halves of the key pair', () => {
    expect(() => new AlibabaTerminalSource({ accessKeyId: 'id', accessKeySecret: '', accountLabel: 'prod', region: 'cn-hangzhou' })).toThrow(/AccessKey/);
  });
});
