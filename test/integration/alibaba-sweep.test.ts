/**
 * The sweep of Alibaba Cloud ECS DescribeTerminalSessions (issue 14): the official SDK over HTTP
 * against the Alibaba emulator, the archive in dynalite. Ground truth is what the emulator's
 * listings showed (and, for the cap, what it held but never showed), never the sweep's own rules.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DETAIL_TYPE } from '../../lambdas/core/events/event-types';
import { fromIso, toIso } from '../../lambdas/core/shared/time';
import { sweepUnfiltered } from '../../lambdas/core/sweep/unfiltered-sweep';
import { isOpenAt } from '../../local/emulators/alibaba';
import { InProcessEventBus } from '../../local/in-process-bus';
import { ALIBABA_ACCOUNT, ALIBABA_REGION, diffAgainstShown, startAlibabaSweepRig, type AlibabaSweepRig } from '../support/alibaba-sweep-rig';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 1, 12);

/** Ends, at `atMs`, every connection still open then (the generator's sessions last up to days). */
function endEveryConnection(rig: AlibabaSweepRig, atMs: number): void {
  for (const session of rig.emulator.allSessions()) if (isOpenAt(session, atMs)) rig.emulator.disconnect(session.sessionId, { atMs });
}

describe('an Alibaba sweep', () => {
  let rig: AlibabaSweepRig;
  afterEach(async () => rig?.close());

  it('backfills several thousand sessions at one call per 100, then costs one call and no session write when nothing is new', async () => {
    rig = await startAlibabaSweepRig(T0, { recordCap: 5000 });
    const N = 2150;
    rig.emulator.generateSessions({ count: N, seed: 3, fromMs: T0 - 28 * DAY, toMs: T0 - 12 * DAY, openFraction: 0 });
    endEveryConnection(rig, T0 - HOUR);
    const backfill = await rig.sweep();
    expect(backfill.complete).toBe(true);
    const calls = rig.emulator.stats.pages;
    expect(calls / Math.ceil(N / 100)).toBeLessThanOrEqual(1.05);
    expect(await diffAgainstShown(rig)).toEqual([]);
    expect(rig.emulator.shown.summaries().size).toBe(N);

    rig.emulator.resetStats();
    const writesBefore = rig.store.stats.sessionWrites;
    rig.emulator.advance(15 * MINUTE);
    const quiet = await rig.sweep();
    expect(rig.emulator.stats.pages).toBe(1);
    expect(quiet.sourceCalls).toBe(1);
    expect(rig.store.stats.sessionWrites - writesBefore).toBe(0);
    expect(quiet.written).toBe(0);
    expect(quiet.recordCapHeadroom).toBe(0);
  });

  it('archives new sessions with a few calls and reports headroom over the cap', async () => {
    rig = await startAlibabaSweepRig(T0);
    rig.emulator.generateSessions({ count: 600, seed: 5, fromMs: T0 - 28 * DAY, toMs: T0 - 12 * DAY, openFraction: 0 });
    endEveryConnection(rig, T0 - MINUTE);
    await rig.sweep();
    rig.emulator.generateSessions({ count: 250, seed: 6, fromMs: T0, toMs: T0 + HOUR, openFraction: 0 });
    rig.emulator.advance(HOUR);
    rig.emulator.resetStats();
    const summary = await rig.sweep();
    // 250 new ones fill three pages; the third also reaches below what the archive holds.
    expect(rig.emulator.stats.pages).toBe(3);
    expect(summary.written).toBe(250);
    expect(summary.recordCapHeadroom).toBe(0.25);
    expect(await diffAgainstShown(rig)).toEqual([]);
  });

  it('keeps a long session open across days of reconnects and stores its end once every connection ended', async () => {
    rig = await startAlibabaSweepRig(T0);
    rig.emulator.generateSessions({ count: 200, seed: 7, fromMs: T0 - 5 * DAY, toMs: T0, openFraction: 0 });
    const long = rig.emulator.addSession({ sessionId: 's-longlived00001', creationMs: T0 });
    rig.emulator.connect(long.sessionId, { instanceId: 'i-bp1aaaaaaaaaaaaaaaa', atMs: T0 });
    rig.emulator.advance(MINUTE);
    await rig.sweep();
    const statusOf = async () => (await rig.archived()).find((r) => r.sessionId === long.sessionId);
    expect((await statusOf())?.status).toBe('Connected');
    // Hundreds of newer sessions, a reconnect to another instance, and sweeps every few hours for three days.
    for (let step = 1; step <= 12; step++) {
      rig.emulator.generateSessions({ count: 40, seed: 100 + step, fromMs: rig.emulator.alibabaNow(), toMs: rig.emulator.alibabaNow() + 6 * HOUR, openFraction: 0 });
      if (step === 4) {
        rig.emulator.disconnect(long.sessionId, { atMs: rig.emulator.alibabaNow(), closedReason: 'NetworkInterrupted' });
        rig.emulator.connect(long.sessionId, { instanceId: 'i-bp1bbbbbbbbbbbbbbbb', atMs: rig.emulator.alibabaNow() + MINUTE });
      }
      if (step === 11) rig.emulator.disconnect(long.sessionId, { atMs: rig.emulator.alibabaNow() + HOUR, closedReason: 'UserClosed' });
      rig.emulator.advance(6 * HOUR);
      const summary = await rig.sweep();
      expect(summary.complete).toBe(true);
      const record = await statusOf();
      expect(record?.status).toBe(step >= 11 ? 'Terminated' : 'Connected');
    }
    const record = await statusOf();
    expect(record?.connections).toHaveLength(2);
    expect(record?.instanceIds).toEqual(['i-bp1aaaaaaaaaaaaaaaa', 'i-bp1bbbbbbbbbbbbbbbb']);
    expect(record?.endDate).toBe(toIso(Math.floor(fromIso(record?.connections?.[1]?.endTime ?? '') / 1000) * 1000));
    const open = await rig.store.listOpenSessions({ source: 'alibaba', accountId: ALIBABA_ACCOUNT, region: ALIBABA_REGION });
    expect(open.map((ref) => ref.sessionId)).not.toContain(long.sessionId);
    expect(await diffAgainstShown(rig)).toEqual([]);
  });

  it('catches a reconnect after every connection had ended, below where the sweep stops, at the daily full listing', async () => {
    rig = await startAlibabaSweepRig(T0);
    const early = rig.emulator.addSession({ sessionId: 's-reopened000001', creationMs: T0 - HOUR });
    rig.emulator.connect(early.sessionId, { instanceId: 'i-bp1cccccccccccccccc', atMs: T0 - HOUR });
    rig.emulator.disconnect(early.sessionId, { atMs: T0 - 30 * MINUTE });
    rig.emulator.generateSessions({ count: 400, seed: 9, fromMs: T0 - 50 * MINUTE, toMs: T0, openFraction: 0 });
    await rig.sweep();
    rig.emulator.connect(early.sessionId, { instanceId: 'i-bp1cccccccccccccccc', atMs: T0 + MINUTE });
    for (let hour = 1; hour <= 25; hour++) {
      rig.emulator.advance(HOUR);
      await rig.sweep();
    }
    const record = (await rig.archived()).find((r) => r.sessionId === early.sessionId);
    expect(record?.status).toBe('Connected');
    expect(record?.connections).toHaveLength(2);
  });

  it('records an overflow of the 1,000-record cap between two sweeps as the exact gap, and publishes it', async () => {
    rig = await startAlibabaSweepRig(T0);
    const bus = new InProcessEventBus({ account: '123456789012', region: 'eu-west-1' });
    rig.emulator.generateSessions({ count: 800, seed: 11, fromMs: T0 - 3 * DAY, toMs: T0, openFraction: 0 });
    await rig.sweep();
    const newestBefore = Math.max(...rig.emulator.retained(ALIBABA_REGION).map((s) => s.creationMs));
    // 1,400 sessions in six hours: 400 of them drop before the next sweep can see them.
    rig.emulator.generateSessions({ count: 1400, seed: 12, fromMs: T0 + MINUTE, toMs: T0 + 6 * HOUR, openFraction: 0 });
    rig.emulator.advance(6 * HOUR);
    const summary = await rig.sweep();
    const dropped = rig.emulator.allSessions().filter((s) => !rig.emulator.shown.summary(s.sessionId));
    const droppedSinceLastSweep = dropped.filter((s) => s.creationMs > newestBefore);
    expect(droppedSinceLastSweep).toHaveLength(400);
    expect(summary.gaps).toHaveLength(1);
    const gap = summary.gaps[0] as { from: string; to: string };
    const oldestShownNow = Math.min(...rig.emulator.retained(ALIBABA_REGION).map((s) => s.creationMs));
    expect(fromIso(gap.from)).toBe(Math.floor(newestBefore / 1000) * 1000);
    expect(fromIso(gap.to)).toBe(Math.floor(oldestShownNow / 1000) * 1000);
    for (const session of droppedSinceLastSweep) {
      expect(session.creationMs).toBeGreaterThanOrEqual(fromIso(gap.from));
      expect(session.creationMs).toBeLessThan(fromIso(gap.to));
    }
    expect(summary.recordCapHeadroom).toBe(1);
    const state = await rig.store.loadSweepState({ source: 'alibaba', accountId: ALIBABA_ACCOUNT, region: ALIBABA_REGION });
    expect(state?.gaps.map((g) => ({ from: toIso(g.from), to: toIso(g.to) }))).toEqual([gap]);
    expect(await diffAgainstShown(rig)).toEqual([]);

    // The same overflow once more, this time with the events going out.
    rig.emulator.generateSessions({ count: 1200, seed: 13, fromMs: rig.emulator.alibabaNow(), toMs: rig.emulator.alibabaNow() + 2 * HOUR, openFraction: 0 });
    rig.emulator.advance(2 * HOUR);
    const second = await sweepUnfiltered({ source: rig.source, store: rig.store, clock: rig.clock, events: bus });
    expect(second.gaps).toHaveLength(1);
    const gapEvents = bus.events.filter((event) => event['detail-type'] === DETAIL_TYPE.coverageGapDetected);
    expect(gapEvents.map((event) => event.detail)).toMatchObject([{ source: 'alibaba', accountId: ALIBABA_ACCOUNT, region: ALIBABA_REGION, ...second.gaps[0] }]);
  });
});
