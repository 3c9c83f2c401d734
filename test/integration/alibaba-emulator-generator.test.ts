/** The seeded session generator: reproducible, and the mix a sweep must handle, as the SDK sees it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTerminalSessions, isOpenAt, type AlibabaEmulator } from '../../local/emulators/alibaba';
import { describeSessions } from '../../local/emulators/alibaba/clients';
import { DAY, NOW, sdkClient, startTestEmulator } from '../support/alibaba';

const OPTIONS = { count: 800, seed: 23, fromMs: NOW - 25 * DAY, toMs: NOW };

describe('generateTerminalSessions', () => {
  it('gives the same sessions for the same seed and others for another', () => {
    expect(generateTerminalSessions(OPTIONS)).toEqual(generateTerminalSessions(OPTIONS));
    expect(generateTerminalSessions({ ...OPTIONS, seed: 24 })[0]?.sessionId).not.toBe(generateTerminalSessions(OPTIONS)[0]?.sessionId);
  });

  it('refuses options that make no sense', () => {
    expect(() => generateTerminalSessions({ ...OPTIONS, count: -1 })).toThrow(RangeError);
    expect(() => generateTerminalSessions({ ...OPTIONS, toMs: OPTIONS.fromMs })).toThrow(RangeError);
    expect(() => generateTerminalSessions({ ...OPTIONS, openFraction: 2 })).toThrow(RangeError);
  });
});

describe('generated sessions through the SDK', () => {
  let emulator: AlibabaEmulator;
  let shown: { sessionId?: string; connections?: { connection?: { status?: string; instanceId?: string; failedDetail?: string; endTime?: string }[] } }[];
  beforeAll(async () => {
    emulator = await startTestEmulator();
    emulator.generateSessions(OPTIONS);
    shown = [];
    let token: string | undefined;
    do {
      const response = await describeSessions(sdkClient(emulator), { regionId: 'cn-hangzhou', maxResults: 100, nextToken: token });
      shown.push(...(response.body?.sessions?.session ?? []));
      token = response.body?.nextToken || undefined;
    } while (token);
  });
  afterAll(() => emulator.close());

  it('holds reconnects (some to another instance), failures with their detail, and open sessions', () => {
    const connections = shown.map((session) => session.connections?.connection ?? []);
    expect(connections.filter((list) => list.length > 1).length).toBeGreaterThan(50);
    expect(connections.filter((list) => new Set(list.map((connection) => connection.instanceId)).size > 1).length).toBeGreaterThan(5);
    const failed = connections.flat().filter((connection) => connection.status === 'Failed');
    expect(failed.length).toBeGreaterThan(10);
    expect(failed.every((connection) => connection.failedDetail !== '' && connection.endTime !== '')).toBe(true);
    const open = connections.filter((list) => list.some((connection) => connection.status === 'Connected' || connection.status === 'Connecting'));
    expect(open.length).toBe(emulator.retained().filter((session) => isOpenAt(session, NOW)).length);
    expect(open.length).toBeGreaterThan(10);
  });
});
