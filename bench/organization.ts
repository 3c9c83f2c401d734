/**
 * The hub at organisation scale (`npx tsx bench/organization.ts [--targets N] [--sessions M]
 * [--concurrency C] [--also-concurrency C2,C3] [--latency ssm=80,sts=60,dynamodb=8]`): a local run over N targets of M
 * sessions each, through the planner,
 * AssumeRole and the local fan-out. Measures SSM calls per target (counted by each target's own
 * emulator), AssumeRole calls per target (counted by STS), and the wall time of a nothing-new run
 * against (targets / concurrency) × one target's nothing-new sweep, measured in the same run.
 *
 * Everything runs in this one process, so with no latency every call costs only CPU and N targets
 * take N times one target whatever the concurrency. `--latency` models the round trips a sweeper
 * Lambda waits for (in-region SSM, STS and DynamoDB), which is where a fan-out's concurrency pays.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { DAY_MS, MINUTE_MS } from '../lambdas/core/shared/time';
import { startHub, type NetworkLatency } from '../test/support/organization-rig';
import { progress } from './support';

const t0 = Date.UTC(2026, 9, 1);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { targets: { type: 'string' }, sessions: { type: 'string' }, concurrency: { type: 'string' }, 'also-concurrency': { type: 'string' }, latency: { type: 'string' } } });
  const alsoConcurrency = (values['also-concurrency'] ?? '').split(',').filter(Boolean).map(Number);
  const latency = parseLatency(values.latency ?? '');
  const targets = Number(values.targets ?? 200);
  const sessions = Number(values.sessions ?? 500);
  const concurrency = Number(values.concurrency ?? 10);
  const regions = ['us-east-1', 'eu-west-1'];
  const members = Math.ceil(targets / regions.length);
  const hub = await startHub({ members, regions, startMs: t0, concurrency, latency });
  try {
    for (const [i, accountId] of hub.sample.memberIds.entries()) {
      for (const [r, region] of regions.entries()) {
        (await hub.ssm.target(accountId, region)).generateSessions({ count: sessions, seed: 1_000 + 10 * i + r, fromMs: t0 - 29 * DAY_MS, toMs: t0, openFraction: 0.01 });
      }
    }
    const describeCalls = () => hub.ssm.targets().reduce((total, { emulator }) => total + emulator.stats.describeByState.Active + emulator.stats.describeByState.History, 0);
    const assumeRoles = () => hub.sts.stats.byAction.AssumeRole ?? 0;

    progress(`backfill: ${members * regions.length} targets x ${sessions} sessions, ${concurrency} at once`);
    let started = performance.now();
    const backfill = await hub.run();
    const backfillSeconds = (performance.now() - started) / 1000;
    const backfillCalls = describeCalls();
    const historyPerTarget = backfill.map((o) => (o.status === 'swept' ? o.summary.pagesFetched.history : Number.NaN));

    const planned = await hub.plan();
    // Warm: every client built and every member's credentials cached, as in a warm Lambda.
    hub.clock.advance(15 * MINUTE_MS);
    await hub.sweep(planned);
    const callsBefore = describeCalls();
    const rolesBefore = assumeRoles();
    hub.clock.advance(15 * MINUTE_MS);
    started = performance.now();
    const nothingNew = await hub.sweep(planned);
    const nothingNewSeconds = (performance.now() - started) / 1000;
    const nothingNewCalls = describeCalls() - callsBefore;
    const swept = nothingNew.filter((o) => o.status === 'swept').length;
    const perTargetSeconds = await timeOneTarget(hub, planned[0] ? [planned[0]] : []);
    // The same nothing-new run at other fan-out limits, against the same one-target time.
    const atOtherLimits = [];
    for (const atOnce of alsoConcurrency) {
      hub.clock.advance(15 * MINUTE_MS);
      const began = performance.now();
      await hub.sweep(planned, {}, atOnce);
      const seconds = (performance.now() - began) / 1000;
      const bound = 1.3 * (swept / atOnce) * perTargetSeconds;
      atOtherLimits.push({ concurrency: atOnce, seconds, bound, ratioToBound: seconds / bound });
    }

    const report = {
      targets: swept,
      sessionsPerTarget: sessions,
      concurrency,
      latency,
      loadAverage: os.loadavg().map((load) => Number(load.toFixed(2))),
      backfill: { seconds: backfillSeconds, describeCalls: backfillCalls, historyCallsPerTarget: median(historyPerTarget), ideal: Math.ceil(sessions / 200) },
      nothingNew: {
        seconds: nothingNewSeconds,
        ssmCallsPerTarget: nothingNewCalls / swept,
        assumeRolePerTargetWarm: (assumeRoles() - rolesBefore) / swept,
        assumeRoleTotal: assumeRoles(),
        oneTargetSeconds: perTargetSeconds,
        bound: 1.3 * (swept / concurrency) * perTargetSeconds,
        ratioToBound: nothingNewSeconds / (1.3 * (swept / concurrency) * perTargetSeconds),
        atOtherLimits,
      },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await hub.close();
  }
}

/** The nothing-new sweep of one target alone, as the median of five. */
async function timeOneTarget(hub: Awaited<ReturnType<typeof startHub>>, one: Parameters<Awaited<ReturnType<typeof startHub>>['sweep']>[0]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    hub.clock.advance(15 * MINUTE_MS);
    const started = performance.now();
    await hub.sweep(one);
    times.push((performance.now() - started) / 1000);
  }
  return median(times);
}

/** `ssm=80,sts=60,dynamodb=8` (ms) → the rig's latency settings. */
function parseLatency(text: string): NetworkLatency {
  const latency: NetworkLatency = {};
  const names = { ssm: 'ssmMs', sts: 'stsMs', dynamodb: 'dynamodbMs' } as const;
  for (const part of text.split(',').filter(Boolean)) {
    const [name, value] = part.split('=');
    const key = names[name as keyof typeof names];
    const ms = Number(value);
    if (key === undefined || !(ms >= 0)) throw new Error(`--latency takes ssm=<ms>,sts=<ms>,dynamodb=<ms>; got "${part}"`);
    latency[key] = ms;
  }
  return latency;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
