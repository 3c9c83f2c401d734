/**
 * The Alibaba emulator through the official SDK (`@alicloud/ecs20140526`, V3 signatures):
 * DescribeTerminalSessions with its parameters and constraints, and every error as the SDK
 * surfaces it (class, `code`, HTTP status, Alibaba's JSON body).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlibabaEmulator } from '../../local/emulators/alibaba';
import { describeSessions } from '../../local/emulators/alibaba/clients';
import { DAY, failureOf, NOW, sdkClient, startTestEmulator } from '../support/alibaba';

describe('DescribeTerminalSessions through the official SDK', () => {
  let emulator: AlibabaEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    emulator.generateSessions({ count: 240, seed: 5, fromMs: NOW - 20 * DAY, toMs: NOW });
    emulator.generateSessions({ count: 30, seed: 6, fromMs: NOW - 5 * DAY, toMs: NOW, regionId: 'eu-central-1' });
  });
  afterAll(() => emulator.close());

  it('answers 10 sessions by default, newest first, with a NextToken, in the SDK model', async () => {
    const response = await describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou' });
    const sessions = response.body?.sessions?.session ?? [];
    expect(response.statusCode).toBe(200);
    expect(sessions).toHaveLength(10);
    expect(response.body?.nextToken).toBeTruthy();
    expect(response.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    const created = sessions.map((session) => Date.parse(session.creationTime ?? ''));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    const shown = emulator.shown.pages().at(-1);
    expect(sessions.map((session) => session.sessionId)).toEqual(shown?.sessions.map((session) => session.SessionId));
  });

  it('pages to the end with MaxResults 100: every session of the region once, then an empty NextToken', async () => {
    const client = sdkClient(emulator);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const response = await describeSessions(client, { regionId: 'cn-hangzhou', maxResults: 100, nextToken: token });
      seen.push(...(response.body?.sessions?.session ?? []).map((session) => session.sessionId ?? ''));
      token = response.body?.nextToken || undefined;
      pages += 1;
    } while (token);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(240);
    expect(seen.sort()).toEqual(emulator.retained('cn-hangzhou').map((session) => session.sessionId).sort());
  });

  it('keeps regions apart', async () => {
    const response = await describeSessions(sdkClient(emulator, { regionId: 'eu-central-1' }), { regionId: 'eu-central-1', maxResults: 100 });
    expect(response.body?.sessions?.session).toHaveLength(30);
  });

  it('filters by InstanceId and SessionId', async () => {
    const sample = emulator.retained('cn-hangzhou')[7];
    const instanceId = sample?.connections[0]?.instanceId ?? '';
    const byInstance = await describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou', maxResults: 100, instanceId });
    const expected = emulator.retained('cn-hangzhou').filter((session) => session.connections.some((connection) => connection.instanceId === instanceId));
    expect((byInstance.body?.sessions?.session ?? []).map((session) => session.sessionId).sort()).toEqual(expected.map((session) => session.sessionId).sort());
    const bySession = await describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou', sessionId: sample?.sessionId });
    expect(bySession.body?.sessions?.session?.map((session) => session.sessionId)).toEqual([sample?.sessionId]);
  });

  it('sends Alibaba time as the Date header', async () => {
    const response = await describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou', maxResults: 1 });
    expect(Date.parse(response.headers?.date ?? '')).toBe(Math.floor(emulator.alibabaNow() / 1000) * 1000);
  });

  it.each([0, 101, -1])('MaxResults %i is InvalidParameter.MaxResults (400, ClientError)', async (maxResults) => {
    const failure = await failureOf(describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou', maxResults }));
    expect(failure).toMatchObject({ type: 'ClientError', code: 'InvalidParameter.MaxResults', statusCode: 400 });
  });

  it('accepts MaxResults 1 and 100', async () => {
    for (const maxResults of [1, 100]) {
      const response = await describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou', maxResults });
      expect(response.body?.sessions?.session).toHaveLength(maxResults);
    }
  });

  it('needs a RegionId: MissingRegionId (400)', async () => {
    const failure = await failureOf(describeSessions(sdkClient(emulator), { regionId: '' }));
    expect(failure).toMatchObject({ code: 'MissingRegionId', statusCode: 400 });
  });

  it('refuses an unknown RegionId: InvalidRegionId.NotFound (404) with Alibaba\'s error body', async () => {
    const failure = await failureOf(describeSessions(sdkClient(emulator), { regionId: 'mars-north-1' }));
    expect(failure).toMatchObject({ type: 'ClientError', code: 'InvalidRegionId.NotFound', statusCode: 404 });
    expect(failure.data).toMatchObject({ Code: 'InvalidRegionId.NotFound', Message: 'The specified parameter RegionId does not exist.' });
    expect(Object.keys(failure.data ?? {}).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
  });

  it.each(['garbage', 'AAAAAdDWBF2', 'a.b', ''.padEnd(300, 'x')])('refuses a NextToken it never issued (%s): InvalidParameter.NextToken (400)', async (nextToken) => {
    const failure = await failureOf(describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou', nextToken }));
    expect(failure).toMatchObject({ code: 'InvalidParameter.NextToken', statusCode: 400 });
  });

  it('refuses a real NextToken with other parameters (region, filter) or a tampered one', async () => {
    const first = await describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou' });
    const token = first.body?.nextToken ?? '';
    const otherRegion = await failureOf(describeSessions(sdkClient(emulator, { regionId: 'eu-central-1' }), { regionId: 'eu-central-1', nextToken: token }));
    expect(otherRegion.code).toBe('InvalidParameter.NextToken');
    const otherFilter = await failureOf(describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou', nextToken: token, instanceId: 'i-other' }));
    expect(otherFilter.code).toBe('InvalidParameter.NextToken');
    const tampered = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
    expect((await failureOf(describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou', nextToken: tampered }))).code).toBe('InvalidParameter.NextToken');
  });
});

describe('sessions and their connections over time', () => {
  let emulator: AlibabaEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.close());

  const shownNow = async (sessionId: string) => {
    const response = await describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou', sessionId });
    return response.body?.sessions?.session?.[0];
  };

  it('shows Connecting, Connected, a reconnect to another instance, a failure with its reason, and the end', async () => {
    emulator.addSession({ sessionId: 's-reconnects01', creationMs: NOW });
    expect((await shownNow('s-reconnects01'))?.connections?.connection ?? []).toEqual([]);
    emulator.connect('s-reconnects01', { instanceId: 'i-bp1first', connectingMs: 3000 });
    expect((await shownNow('s-reconnects01'))?.connections?.connection?.[0]).toMatchObject({ instanceId: 'i-bp1first', status: 'Connecting', endTime: '' });
    emulator.advance(5000);
    expect((await shownNow('s-reconnects01'))?.connections?.connection?.[0]?.status).toBe('Connected');
    emulator.advance(60_000);
    emulator.disconnect('s-reconnects01', { status: 'Failed', closedReason: 'NetworkInterrupted', failedDetail: 'AgentNotOnline' });
    emulator.advance(2 * DAY);
    emulator.connect('s-reconnects01', { instanceId: 'i-bp1second' });
    const reconnected = (await shownNow('s-reconnects01'))?.connections?.connection ?? [];
    expect(reconnected.map((connection) => [connection.instanceId, connection.status])).toEqual([['i-bp1first', 'Failed'], ['i-bp1second', 'Connected']]);
    expect(reconnected[0]).toMatchObject({ closedReason: 'NetworkInterrupted', failedDetail: 'AgentNotOnline', endTime: '2026-11-30T12:01:05Z' });
    emulator.advance(DAY);
    emulator.disconnect('s-reconnects01', { closedReason: 'UserClosed' });
    const ended = (await shownNow('s-reconnects01'))?.connections?.connection?.[1];
    expect(ended).toMatchObject({ status: 'Terminated', closedReason: 'UserClosed', endTime: '2026-12-03T12:01:05Z' });
  });

  it('shows a session only from its CreationTime on', async () => {
    emulator.addSession({ sessionId: 's-future000001', creationMs: emulator.alibabaNow() + 60_000 });
    expect(await shownNow('s-future000001')).toBeUndefined();
    emulator.advance(60_000);
    expect((await shownNow('s-future000001'))?.sessionId).toBe('s-future000001');
  });
});
