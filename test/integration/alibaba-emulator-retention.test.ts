/**
 * What the Alibaba emulator keeps (30 days from CreationTime, at most 1,000 records, the oldest
 * dropping first), the result orders a sweep must not depend on, and the seeded faults, all
 * through the official SDK.
 */
import type Ecs from '@alicloud/ecs20140526';
import { afterAll, describe, expect, it } from 'vitest';
import { RESULT_ORDERS, type AlibabaEmulator, type EmulatedTerminalSession } from '../../local/emulators/alibaba';
import { describeSessions } from '../../local/emulators/alibaba/clients';
import { DAY, failureOf, NOW, sdkClient, startTestEmulator } from '../support/alibaba';

const emulators: AlibabaEmulator[] = [];
async function emulatorWith(options: Parameters<typeof startTestEmulator>[0] = {}): Promise<AlibabaEmulator> {
  const emulator = await startTestEmulator(options);
  emulators.push(emulator);
  return emulator;
}
afterAll(async () => {
  await Promise.all(emulators.map((emulator) => emulator.close()));
});

/** Every page of one full listing, as the SDK returned them. */
async function fullListing(client: Ecs, maxResults = 100): Promise<string[][]> {
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const response = await describeSessions(client, { regionId: 'cn-hangzhou', maxResults, nextToken: token });
    pages.push((response.body?.sessions?.session ?? []).map((session) => session.sessionId ?? ''));
    token = response.body?.nextToken || undefined;
  } while (token);
  return pages;
}

const plainSession = (index: number, creationMs: number): EmulatedTerminalSession => ({
  sessionId: `s-plain${String(index).padStart(6, '0')}`,
  regionId: 'cn-hangzhou',
  creationMs,
  principalId: '2000000000000001',
  username: 'tester',
  identityType: 'RAMUser',
  clientIp: '10.0.0.1',
  portNumber: 22,
  targetServer: '192.168.0.1',
  connections: [{ instanceId: 'i-bp1one', startMs: creationMs, endMs: creationMs + 60_000, endStatus: 'Terminated' }],
});

describe('retention', () => {
  it('keeps records for 30 days from CreationTime, open or not', async () => {
    const emulator = await emulatorWith();
    emulator.addSessions([plainSession(1, NOW - 30 * DAY + 1000), plainSession(2, NOW - 30 * DAY), { ...plainSession(3, NOW - 40 * DAY), connections: [{ instanceId: 'i-bp1one', startMs: NOW - 40 * DAY, endMs: null, endStatus: 'Terminated' }] }]);
    expect((await fullListing(sdkClient(emulator))).flat()).toEqual(['s-plain000001']);
    emulator.advance(1000);
    expect((await fullListing(sdkClient(emulator))).flat()).toEqual([]);
  });

  it('keeps at most 1,000 records: the oldest drop first as new ones arrive', async () => {
    const emulator = await emulatorWith();
    const sessions = Array.from({ length: 1000 }, (_, index) => plainSession(index, NOW - 10 * DAY + index * 60_000));
    emulator.addSessions(sessions);
    const listed = (await fullListing(sdkClient(emulator))).flat();
    expect(listed).toHaveLength(1000);
    emulator.addSessions([plainSession(5000, NOW - 1000), plainSession(5001, NOW - 500)]);
    const after = (await fullListing(sdkClient(emulator))).flat();
    expect(after).toHaveLength(1000);
    expect(after).toContain('s-plain005001');
    expect(after).not.toContain('s-plain000000');
    expect(after).not.toContain('s-plain000001');
    expect(after).toContain('s-plain000002');
  });

  it('generated sessions beyond the cap: the listing holds exactly the 1,000 newest', async () => {
    const emulator = await emulatorWith();
    emulator.generateSessions({ count: 1800, seed: 12, fromMs: NOW - 25 * DAY, toMs: NOW });
    const listed = (await fullListing(sdkClient(emulator))).flat();
    const newest = [...emulator.allSessions()].sort((a, b) => b.creationMs - a.creationMs).slice(0, 1000);
    expect(listed).toEqual(newest.map((session) => session.sessionId));
  });
});

describe('result order', () => {
  it.each(RESULT_ORDERS)('%s: a full listing shows every retained session exactly once', async (order) => {
    const emulator = await emulatorWith({ order, orderSeed: 4 });
    emulator.generateSessions({ count: 430, seed: 13, fromMs: NOW - 20 * DAY, toMs: NOW });
    const listed = (await fullListing(sdkClient(emulator), 50)).flat();
    expect(listed).toHaveLength(430);
    expect([...listed].sort()).toEqual(emulator.retained().map((session) => session.sessionId).sort());
  });

  it('newest is newest first, oldest is oldest first, shuffled and scattered are not', async () => {
    const emulator = await emulatorWith();
    emulator.generateSessions({ count: 300, seed: 14, fromMs: NOW - 20 * DAY, toMs: NOW });
    const newestFirst = emulator.retained().map((session) => session.sessionId);
    expect((await fullListing(sdkClient(emulator))).flat()).toEqual(newestFirst);
    emulator.setOrder('oldest');
    expect((await fullListing(sdkClient(emulator))).flat()).toEqual([...newestFirst].reverse());
    emulator.setOrder('shuffled', 3);
    const shuffled = await fullListing(sdkClient(emulator));
    expect(shuffled.flat()).not.toEqual(newestFirst);
    expect(shuffled.map((page) => [...page].sort())).toEqual([newestFirst.slice(0, 100), newestFirst.slice(100, 200), newestFirst.slice(200)].map((page) => [...page].sort()));
    emulator.setOrder('scattered', 3);
    const scattered = await fullListing(sdkClient(emulator));
    expect([...(scattered[0] ?? [])].sort()).not.toEqual([...newestFirst.slice(0, 100)].sort());
  });
});

describe('faults', () => {
  it('throttles with Throttling.User (400): the SDK throws a ThrottlingError', async () => {
    const emulator = await emulatorWith({ faults: { throttleRate: 1 } });
    const failure = await failureOf(describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou' }));
    expect(failure).toMatchObject({ type: 'ThrottlingError', code: 'Throttling.User', statusCode: 400 });
    expect(emulator.stats).toMatchObject({ faultsInjected: 1, pages: 0, errors: { 'Throttling.User': 1 } });
  });

  it('fails with InternalError (500): the SDK throws a ServerError', async () => {
    const emulator = await emulatorWith({ faults: { errorRate: 1 } });
    const failure = await failureOf(describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou' }));
    expect(failure).toMatchObject({ type: 'ServerError', code: 'InternalError', statusCode: 500 });
  });

  it('drops the connection: the SDK throws a network error (ECONNRESET)', async () => {
    const emulator = await emulatorWith({ faults: { dropRate: 1 } });
    const failure = await failureOf(describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou' }));
    expect(failure.code).toBe('ECONNRESET');
    expect(emulator.shown.pageCount).toBe(0);
  });

  it('adds latency and then answers', async () => {
    const emulator = await emulatorWith({ faults: { latencyRate: 1, latencyMs: 150 } });
    const started = performance.now();
    const response = await describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou' });
    expect(response.statusCode).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('injects the same faults for the same seed, and none after setFaults(undefined)', async () => {
    const outcomes = async (emulator: AlibabaEmulator): Promise<string[]> => {
      const results: string[] = [];
      for (let index = 0; index < 12; index += 1) results.push(await describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou' }).then(() => 'ok', (error: { code?: string }) => error.code ?? 'error'));
      return results;
    };
    const settings = { seed: 9, throttleRate: 0.3, errorRate: 0.2 };
    const first = await outcomes(await emulatorWith({ faults: settings }));
    const second = await emulatorWith({ faults: settings });
    expect(await outcomes(second)).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['ok', 'Throttling.User', 'InternalError']));
    second.setFaults(undefined);
    expect(new Set(await outcomes(second))).toEqual(new Set(['ok']));
  });
});
