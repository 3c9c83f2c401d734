/**
 * The session generator: reproducible from its seed, and realistic enough to exercise an
 * archiver (formats, mix of documents/owners/statuses, awkward reasons, long and open sessions).
 */
import { describe, expect, it } from 'vitest';
import { EMULATED_ACCOUNT_ID, ManualClock, generateSessions, startSsmEmulator, type EmulatedSession } from '../../local/ssm-emulator';

const TO = Date.UTC(2024, 7, 29, 12, 0, 0);
const FROM = TO - 30 * 86_400_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

describe('generateSessions', () => {
  const sessions = generateSessions({ count: 5000, seed: 2024, fromMs: FROM, toMs: TO });
  const share = (predicate: (session: EmulatedSession) => boolean): number => sessions.filter(predicate).length / sessions.length;

  it('is reproducible from its seed', () => {
    expect(generateSessions({ count: 5000, seed: 2024, fromMs: FROM, toMs: TO })).toEqual(sessions);
    const other = generateSessions({ count: 5000, seed: 2025, fromMs: FROM, toMs: TO });
    expect(other.map((session) => session.sessionId)).not.toEqual(sessions.map((session) => session.sessionId));
  });

  it('makes unique AWS-shaped session ids, targets and owners', () => {
    expect(sessions).toHaveLength(5000);
    expect(new Set(sessions.map((session) => session.sessionId)).size).toBe(5000);
    for (const session of sessions) {
      expect(session.sessionId).toMatch(/^[\w+=,.@-]{1,64}-[0-9a-f]{17}$/);
      expect(session.target).toMatch(/^(i|mi)-[0-9a-f]{17}$/);
      expect(session.owner).toMatch(
        new RegExp(`^arn:aws:(sts::${EMULATED_ACCOUNT_ID}:assumed-role/[\\w+=,.@-]+/[\\w+=,.@-]+|iam::${EMULATED_ACCOUNT_ID}:user/[\\w+=,.@-]+)$`),
      );
      // The id starts with the caller's name, as AWS does.
      expect(session.owner.endsWith(`/${session.sessionId.slice(0, -18)}`)).toBe(true);
    }
    expect(share((session) => session.target.startsWith('mi-'))).toBeGreaterThan(0.02);
    expect(share((session) => session.owner.includes(':assumed-role/'))).toBeGreaterThan(0.3);
    expect(share((session) => session.owner.includes(':user/'))).toBeGreaterThan(0.05);
    expect(new Set(sessions.map((session) => session.target)).size).toBeGreaterThan(100);
  });

  it('mixes documents, reasons with awkward characters, access types and max durations', () => {
    const documents = new Set(sessions.map((session) => session.documentName));
    for (const name of [
      'SSM-SessionManagerRunShell',
      'AWS-StartPortForwardingSession',
      'AWS-StartSSHSession',
      'AWS-StartInteractiveCommand',
      'AWS-StartPortForwardingSessionToRemoteHost',
      'Acme-RestrictedShell',
    ]) {
      expect(documents).toContain(name);
    }
    expect(share((session) => session.documentName === 'SSM-SessionManagerRunShell')).toBeGreaterThan(0.4);
    expect(share((session) => session.reason === undefined)).toBeGreaterThan(0.3);
    const reasons = sessions.flatMap((session) => (session.reason ? [session.reason] : []));
    expect(reasons.some((reason) => reason.includes(','))).toBe(true);
    expect(reasons.some((reason) => reason.includes('"'))).toBe(true);
    expect(reasons.some((reason) => /[^\x00-\x7f]/.test(reason))).toBe(true);
    expect(reasons.every((reason) => [...reason].length <= 256 && !/[\n\r]/.test(reason))).toBe(true);
    expect(share((session) => session.accessType === 'JustInTime')).toBeGreaterThan(0.03);
    expect(share((session) => session.accessType === 'Standard')).toBeGreaterThan(0.8);
    const maxDurations = sessions.flatMap((session) => (session.maxSessionDuration ? [session.maxSessionDuration] : []));
    expect(maxDurations.length).toBeGreaterThan(100);
    expect(maxDurations.every((value) => /^([1-9]|[1-9][0-9]|[1-9][0-9][0-9]|1[0-4][0-3][0-9]|1440)$/.test(value))).toBe(true);
  });

  it('spreads whole-millisecond start times over [fromMs, toMs), with durations from seconds to days', () => {
    expect(sessions.every((session) => Number.isInteger(session.startMs) && session.startMs >= FROM && session.startMs < TO)).toBe(true);
    const firstHalf = share((session) => session.startMs < FROM + 15 * DAY);
    expect(firstHalf).toBeGreaterThan(0.4);
    expect(firstHalf).toBeLessThan(0.6);
    const durations = sessions.flatMap((session) => (session.endMs === null ? [] : [session.endMs - session.startMs]));
    expect(durations.every((duration) => Number.isInteger(duration) && duration >= 1000)).toBe(true);
    expect(durations.filter((duration) => duration < MINUTE).length).toBeGreaterThan(100);
    expect(durations.filter((duration) => duration > DAY).length).toBeGreaterThan(50);
    for (const session of sessions) {
      if (session.maxSessionDuration && session.endMs !== null && session.endMs <= TO) {
        expect(session.endMs - session.startMs).toBeLessThanOrEqual(Number(session.maxSessionDuration) * MINUTE);
      }
    }
  });

  it('fails about 5% and leaves about openFraction open at toMs', () => {
    const failed = share((session) => session.endStatus === 'Failed');
    expect(failed).toBeGreaterThan(0.03);
    expect(failed).toBeLessThan(0.07);
    const explicitlyOpen = share((session) => session.endMs === null || (session.endMs > TO && session.disconnected !== undefined));
    expect(explicitlyOpen).toBeGreaterThan(0.035);
    expect(explicitlyOpen).toBeLessThan(0.065);
    expect(sessions.some((session) => session.endMs === null)).toBe(true);
    expect(sessions.some((session) => session.disconnected === true)).toBe(true);
    expect(sessions.every((session) => !(session.endStatus === 'Failed' && session.endMs === null))).toBe(true);
    const tenPercent = generateSessions({ count: 5000, seed: 1, fromMs: FROM, toMs: TO, openFraction: 0.1 });
    expect(tenPercent.filter((session) => session.endMs === null || session.endMs > TO).length / 5000).toBeGreaterThan(0.08);
  });

  it('honours targets and owners', () => {
    const small = generateSessions({ count: 500, seed: 3, fromMs: FROM, toMs: TO, targets: 4, owners: 2 });
    expect(new Set(small.map((session) => session.target)).size).toBeLessThanOrEqual(4);
    expect(new Set(small.map((session) => session.owner)).size).toBeLessThanOrEqual(2);
  });

  it('rejects impossible options', () => {
    expect(() => generateSessions({ count: -1, seed: 1, fromMs: FROM, toMs: TO })).toThrow(/count/);
    expect(() => generateSessions({ count: 1, seed: 1, fromMs: TO, toMs: FROM })).toThrow(/fromMs/);
    expect(() => generateSessions({ count: 1, seed: 1, fromMs: FROM, toMs: TO, openFraction: 2 })).toThrow(/openFraction/);
  });

  it('adds to an emulator without clashing with the sessions already there, even with the same seed', async () => {
    const emulator = await startSsmEmulator({ clock: new ManualClock(TO) });
    try {
      const first = emulator.generateSessions({ count: 300, seed: 9, fromMs: FROM, toMs: TO });
      const second = emulator.generateSessions({ count: 300, seed: 9, fromMs: FROM, toMs: TO });
      expect(emulator.allSessions()).toHaveLength(600);
      expect(new Set([...first, ...second].map((session) => session.sessionId)).size).toBe(600);
      expect(first.every((session) => emulator.allSessions().includes(session))).toBe(true);
    } finally {
      await emulator.close();
    }
  });
});
