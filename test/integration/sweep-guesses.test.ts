/**
 * Each guess about SSM that a sweep must not rely on, as its own scenario: SSM's clock ahead of or
 * behind ours, sessions visible late in Active or in History, a Failed session that shows up in
 * History minutes after it ended, and a session the archive had given up on that shows up again.
 * The emulator plays each guess; the ground truth is what it showed. Coverage never confirms a
 * range that lacks a session.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS, toIso } from '../../lambdas/core/shared/time';
import type { EmulatedSession, EmulatorOptions } from '../../local/ssm-emulator';
import { ACCOUNT_ID, diffArchive, REGION, startSweepRig, type SweepRig } from '../support/sweep-harness';

const t0 = Date.UTC(2026, 7, 1);
const SCOPE = { source: 'ssm', accountId: ACCOUNT_ID, region: REGION };

function session(id: string, startMs: number, endMs: number | null, endStatus: 'Terminated' | 'Failed' = 'Terminated'): EmulatedSession {
  return { sessionId: `${id}-0a1b2c3d4e5f60718`, target: 'i-0123456789abcdef0', owner: `arn:aws:iam::${ACCOUNT_ID}:user/${id}`, accessType: 'Standard', startMs, endMs, endStatus };
}

/** Missing sessions must lie outside every confirmed range (none are expected at all). */
async function expectNothingMissingOrOverConfirmed(rig: SweepRig): Promise<void> {
  const problems = await diffArchive(rig);
  expect(problems).toEqual([]);
  const state = await rig.store.loadSweepState(SCOPE);
  expect(state?.coverage.length).toBeGreaterThan(0);
}

async function sweepEvery15Minutes(rig: SweepRig, from: number, until: number): Promise<void> {
  for (let at = from; at <= until; at += 15 * MINUTE_MS) {
    rig.clock.set(at);
    expect((await rig.sweep()).complete).toBe(true);
  }
}

describe('no guess about SSM is relied on', () => {
  let rig: SweepRig | undefined;
  afterEach(async () => rig?.close());
  const start = async (emulator: EmulatorOptions): Promise<SweepRig> => (rig = await startSweepRig({ startMs: t0, emulator }));

  it.each([6, -6, 20, -20])("SSM's clock %i minutes from ours: every session archived with its final state, the skew measured", async (offsetMinutes) => {
    const r = await start({ clockOffsetMs: offsetMinutes * MINUTE_MS });
    // Sessions start and end all through the sweeps, many just before one.
    r.emulator.generateSessions({ count: 400, seed: 60 + offsetMinutes, fromMs: t0 - 2 * DAY_MS, toMs: t0 + 6 * HOUR_MS, openFraction: 0 });
    r.clock.set(t0);
    const first = await r.sweep();
    // The measured offset is SSM's, to the header's one-second resolution.
    expect(Math.abs(first.sourceClockOffsetMs - offsetMinutes * MINUTE_MS)).toBeLessThanOrEqual(1_000);
    await sweepEvery15Minutes(r, t0 + 15 * MINUTE_MS, t0 + 7 * HOUR_MS);
    r.clock.set(t0 + DAY_MS + HOUR_MS);
    expect((await r.sweep()).reconciliation).toBe('completed');
    await expectNothingMissingOrOverConfirmed(r);
  });

  it('a Failed session that shows up in History 10 minutes after it ended is archived by the next sweep', async () => {
    const r = await start({ visibilityLagMs: 10 * MINUTE_MS });
    r.emulator.generateSessions({ count: 100, seed: 71, fromMs: t0 - 5 * DAY_MS, toMs: t0 - DAY_MS, openFraction: 0 });
    await r.sweep();
    // Failed at once, 8 minutes before the next sweep: not visible yet when it lists.
    const failed = session('failed', t0 + 7 * MINUTE_MS, t0 + 7 * MINUTE_MS, 'Failed');
    r.emulator.addSessions([failed]);
    r.clock.set(t0 + 15 * MINUTE_MS);
    await r.sweep();
    expect((await r.archived()).some((record) => record.sessionId === failed.sessionId)).toBe(false);
    r.clock.set(t0 + 30 * MINUTE_MS);
    await r.sweep();
    expect((await r.archived()).find((record) => record.sessionId === failed.sessionId)).toMatchObject({ status: 'Failed', endDate: toIso(t0 + 7 * MINUTE_MS) });
  });

  it('one Active listing misses a session (visible late) that ends before the next: the overlap archives it', async () => {
    const r = await start({ visibilityLagMs: 10 * MINUTE_MS });
    r.clock.set(t0);
    await r.sweep();
    // Started 7 minutes before the sweep: older than the 5-minute margin, not in Active yet (10-minute lag).
    const unseen = session('unseen', t0 + 8 * MINUTE_MS, t0 + 20 * MINUTE_MS);
    r.emulator.addSessions([unseen]);
    r.clock.set(t0 + 15 * MINUTE_MS);
    const missed = await r.sweep();
    expect(missed.openSessions).toBe(0);
    // Ended at +20, in History from +30: after the listing that claimed its start.
    await sweepEvery15Minutes(r, t0 + 30 * MINUTE_MS, t0 + 45 * MINUTE_MS);
    expect((await r.archived()).find((record) => record.sessionId === unseen.sessionId)).toMatchObject({ status: 'Terminated', endDate: toIso(t0 + 20 * MINUTE_MS) });
  });

  it('one History listing misses a session that vanished from Active (visible late): it is looked for again, never given up on', async () => {
    const r = await start({ visibilityLagMs: 10 * MINUTE_MS });
    const long = session('long', t0 - 3 * HOUR_MS, null);
    r.emulator.addSessions([long]);
    r.clock.set(t0);
    await r.sweep();
    r.emulator.terminate(long.sessionId, t0 + 12 * MINUTE_MS);
    // At +15 it is in neither list: out of Active, not yet in History.
    r.clock.set(t0 + 15 * MINUTE_MS);
    const looking = await r.sweep();
    expect(looking.unresolvedOpen).toBe(1);
    expect(looking.endedUnobserved).toBe(0);
    r.clock.set(t0 + 30 * MINUTE_MS);
    await r.sweep();
    const record = (await r.archived()).find((item) => item.sessionId === long.sessionId);
    expect(record).toMatchObject({ status: 'Terminated', endDate: toIso(t0 + 12 * MINUTE_MS) });
    expect(record?.endedUnobservedAt).toBeUndefined();
  });

  it('a session given up on that shows up open again is tracked again, and its end archived', async () => {
    const r = await start({});
    const back = session('back', t0 - 2 * HOUR_MS, null);
    r.emulator.addSessions([back]);
    r.clock.set(t0);
    await r.sweep();
    // As a reconciliation would have flagged it, had one Active listing missed it.
    await r.store.markEndedUnobserved(SCOPE, back.sessionId, toIso(t0), t0);
    expect((await r.store.listOpenSessions(SCOPE)).map((ref) => ref.sessionId)).not.toContain(back.sessionId);

    r.clock.set(t0 + 15 * MINUTE_MS);
    const seenAgain = await r.sweep();
    expect(seenAgain.written).toBeGreaterThanOrEqual(1);
    const reopened = (await r.archived()).find((item) => item.sessionId === back.sessionId);
    expect(reopened?.endedUnobservedAt).toBeUndefined();
    expect((await r.store.listOpenSessions(SCOPE)).map((ref) => ref.sessionId)).toContain(back.sessionId);

    r.emulator.terminate(back.sessionId, t0 + 3 * HOUR_MS);
    r.clock.set(t0 + 3 * HOUR_MS + 15 * MINUTE_MS);
    await r.sweep();
    expect((await r.archived()).find((item) => item.sessionId === back.sessionId)).toMatchObject({ status: 'Terminated', endDate: toIso(t0 + 3 * HOUR_MS) });
  });
});
