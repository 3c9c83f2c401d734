/**
 * The parts of the local stack that the CLI test cannot pin down: one sweep at a time, a failed
 * sweep followed by another, the emulator's sessions being the same on every start, and a stop in
 * the middle of the first sweep that the next start completes without losing anything.
 */
import { parse } from 'csv-parse/sync';
import { cleanEnv, runCli } from '../support/cli-process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paginateDescribeSessions } from '@aws-sdk/client-ssm';
import { afterAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../lambdas/core/sweep/sweep';
import { DAY_MS } from '../../lambdas/core/shared/time';
import { describeSweep, GeneratedSessionFeed, IntervalSweeper, startLocalStack, type LocalStack } from '../../local/local-stack';
import { ManualClock, startSsmEmulator } from '../../local/ssm-emulator';
import { emulatorSsmClient } from '../../local/ssm-emulator/clients';

/** Ids of the sessions SSM lists now (Active and History) that started before `beforeMs`. */
async function sessionsInSsm(endpoint: string, beforeMs: number): Promise<string[]> {
  const client = emulatorSsmClient(endpoint);
  const ids: string[] = [];
  try {
    for (const state of ['Active', 'History'] as const) {
      for await (const page of paginateDescribeSessions({ client }, { State: state, MaxResults: 200 })) {
        for (const session of page.Sessions ?? []) if ((session.StartDate?.getTime() ?? 0) < beforeMs) ids.push(session.SessionId as string);
      }
    }
  } finally {
    client.destroy();
  }
  return ids;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function summary(overrides: Partial<SweepSummary> = {}): SweepSummary {
  return {
    source: 'ssm',
    accountId: '123456789012',
    region: 'us-east-1',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    durationMs: 1000,
    complete: true,
    sourceCalls: 2,
    pagesFetched: { active: 1, history: 1, reconciliation: 0 },
    lookups: 0,
    sessionsSeen: 3,
    written: 1,
    unchanged: 2,
    openSessions: 1,
    previousWatermark: null,
    watermark: '2025-12-31T23:00:00.000Z',
    gaps: [],
    unresolvedOpen: 0,
    endedUnobserved: 0,
    sourceClockOffsetMs: 0,
    reconciliation: 'not-due',
    checkpointConflicts: 0,
    ...overrides,
  };
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await sleep(20);
}

describe('IntervalSweeper', () => {
  it('runs one sweep at a time, and tries again at the next interval after a failure', async () => {
    const lines: string[] = [];
    let calls = 0;
    let running = 0;
    let mostAtOnce = 0;
    const sweeper = new IntervalSweeper({
      // Shorter than a sweep: each next one is due before the previous one ends.
      intervalMs: 1,
      print: (line) => lines.push(line),
      runSweep: async () => {
        calls++;
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await sleep(10);
        running--;
        if (calls === 1) throw new Error('SSM unreachable');
        return describeSweep(summary());
      },
    });

    sweeper.start();
    await until(() => calls >= 4);
    await sweeper.stop();

    expect(mostAtOnce).toBe(1);
    expect(lines[0]).toBe('sweep 1 failed: Error: SSM unreachable; next try in 0.0 s');
    expect(lines[1]).toBe('sweep 2 complete in 1.0 s: 3 seen, 1 written, 2 unchanged, 1 open, 2 SSM calls, watermark 2025-12-31T23:00:00.000Z');
  });

  it('stop() tells the sweep in flight to stop and waits until it has', async () => {
    const lines: string[] = [];
    let sawStop = false;
    const sweeper = new IntervalSweeper({
      intervalMs: 60_000,
      print: (line) => lines.push(line),
      runSweep: async (shouldStop) => {
        await until(shouldStop);
        sawStop = true;
        return describeSweep(summary({ complete: false, stoppedEarly: 'time-budget', gaps: [{ from: '2025-11-01T00:00:00.000Z', to: '2025-11-02T00:00:00.000Z' }] }));
      },
    });

    sweeper.start();
    await sleep(20);
    await sweeper.stop();

    expect(sawStop).toBe(true);
    expect(lines).toEqual([
      'sweep 1 stopped early (the next sweep continues) in 1.0 s: 3 seen, 1 written, 2 unchanged, 1 open, 2 SSM calls, watermark 2025-12-31T23:00:00.000Z, 1 GAP 2025-11-01T00:00:00.000Z..2025-11-02T00:00:00.000Z',
    ]);
  });
});

describe('GeneratedSessionFeed', () => {
  it('gives the same sessions for the same seed, whenever the stack starts, and sessions still to come', async () => {
    const firstStart = Date.UTC(2026, 4, 10, 12);
    const laterStart = firstStart + 3 * DAY_MS;
    const early = await startSsmEmulator({ clock: new ManualClock(firstStart) });
    const late = await startSsmEmulator({ clock: new ManualClock(laterStart) });
    try {
      new GeneratedSessionFeed(early, 500, 7).fillUntil(firstStart);
      new GeneratedSessionFeed(late, 500, 7).fillUntil(laterStart);
      const lastMonth = (sessions: readonly { sessionId: string; startMs: number; endMs: number | null }[]): string[] =>
        sessions
          .filter((session) => session.startMs >= firstStart - 30 * DAY_MS && session.startMs < firstStart)
          .map((session) => `${session.sessionId} ${session.startMs} ${session.endMs}`)
          .sort();

      const seenByEarly = lastMonth(early.allSessions());
      expect(seenByEarly.length).toBeGreaterThan(400);
      expect(lastMonth(late.allSessions())).toEqual(seenByEarly);
      // Sessions that start after "now" appear in SSM as the clock reaches them.
      expect(early.allSessions().filter((session) => session.startMs > firstStart).length).toBeGreaterThan(400);
    } finally {
      await early.close();
      await late.close();
    }
  });
});

describe('startLocalStack', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'session-archive-stack-'));
  let stack: LocalStack | undefined;
  afterAll(async () => {
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (lines: string[]): Promise<LocalStack> =>
    startLocalStack({
      dataDir,
      apiPort: 0,
      ssmPort: 0,
      sweepIntervalMs: 600_000,
      sessions: 2000,
      seed: 3,
      tableName: 'session-archive',
      print: (line) => lines.push(line),
    });

  const archivedIds = async (apiUrl: string): Promise<string[]> => {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const response = await fetch(`${apiUrl}/sessions?limit=1000${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`);
      const page = (await response.json()) as { sessions: Array<{ sessionId: string }>; nextToken?: string };
      ids.push(...page.sessions.map((session) => session.sessionId));
      token = page.nextToken;
    } while (token);
    return ids;
  };

  it('stopped during its first sweep, it checkpoints; the next start completes the sweep without a gap', async () => {
    const firstRun: string[] = [];
    stack = await start(firstRun);
    const firstApi = stack.apiUrl;
    // Stop as soon as the first pages are stored, well before the sweep could finish.
    await until(async () => (await archivedIds(firstApi)).length > 0);
    await stack.close();
    stack = undefined;

    expect(firstRun).toHaveLength(1);
    expect(firstRun[0]).toMatch(/^sweep 1 stopped early \(the next sweep continues\) in /);
    const secondRun: string[] = [];
    const secondStart = Date.now();
    stack = await start(secondRun);
    await until(() => secondRun.length > 0);
    expect(secondRun[0]).toMatch(/^sweep 1 complete in /);
    expect(secondRun[0]).not.toMatch(/GAP|ended unobserved/);
    // Every session SSM lists that started before that sweep is in the archive, once.
    const archived = await archivedIds(stack.apiUrl);
    const archivedOnce = new Set(archived);
    expect(archivedOnce.size).toBe(archived.length);
    const listed = await sessionsInSsm(stack.ssmEndpoint, secondStart);
    expect(listed.length).toBeGreaterThan(1500);
    expect(listed.filter((id) => !archivedOnce.has(id))).toEqual([]);
  });

  it('runs the compliance checks on the archived sessions and serves their findings', async () => {
    expect(stack).toBeDefined();
    const apiUrl = (stack as LocalStack).apiUrl;
    // cdk.json's rules flag sessions longer than 12 hours; the seeded month has some.
    await until(async () => ((await (await fetch(`${apiUrl}/findings?limit=10`)).json()) as { findings: unknown[] }).findings.length > 0);
    const page = (await (await fetch(`${apiUrl}/findings?rule=max-duration&limit=5`)).json()) as { findings: Array<{ rule: string; sessionId: string }> };
    expect(page.findings.length).toBeGreaterThan(0);
    for (const finding of page.findings) expect(finding.rule).toBe('max-duration');
    const archived = new Set(await archivedIds(apiUrl));
    for (const finding of page.findings) expect(archived.has(finding.sessionId)).toBe(true);

    // The same findings through the CLI, as CSV in a file.
    const out = join(dataDir, 'findings.csv');
    const cli = await runCli(['findings', '--api', apiUrl, '--rule', 'max-duration', '--out', out], cleanEnv());
    expect(cli.stderr).not.toMatch(/Error/);
    expect(cli.code).toBe(0);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.length).toBeGreaterThanOrEqual(page.findings.length);
    expect(new Set(rows.map((row) => row.rule))).toEqual(new Set(['max-duration']));

    const bad = await runCli(['findings', '--api', apiUrl, '--format', 'xml'], cleanEnv());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be one of csv, jsonl, json');
  });
});
