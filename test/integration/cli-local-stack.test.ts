/**
 * The local stack and the auditor commands as a user runs them: `session-archive local` in its
 * own process on a temporary data folder, then `query` and `export` as processes against its API,
 * a SIGTERM, and a second start on the same folder that still holds the archive. The waits follow
 * the lines the stack prints, never the clock.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_CSV_COLUMNS } from '../../lambdas/core/query/formats';
import { runCli, startCli, type RunningCli } from '../support/cli-process';

/** Enough that the export needs many pages of the API (1000 per page at most). */
const SESSIONS = 5_000;
const SWEEP_LINE = /^sweep (\d+) complete in [\d.]+ s: (\d+) seen, (\d+) written, (\d+) unchanged, (\d+) open.*$/m;

interface ExportedRow {
  sessionId: string;
  status: string;
  startDate: string;
}

describe('session-archive local with query and export, as processes', () => {
  let dataDir: string;
  let stack: RunningCli | undefined;
  let apiUrl: string;
  let firstSweepWritten: number;
  let exportedIds: string[];

  const startStack = async (): Promise<{ running: RunningCli; url: string }> => {
    const running = startCli(['local', '--data-dir', dataDir, '--api-port', '0', '--interval', '2', '--sessions', String(SESSIONS)]);
    const [, url] = await running.waitForOutput(/^ {2}query API {4}(http:\/\/127\.0\.0\.1:\d+)$/m);
    return { running, url: url as string };
  };

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'session-archive-local-'));
  });

  afterAll(async () => {
    if (stack && stack.child.exitCode === null) {
      stack.child.kill('SIGTERM');
      await stack.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts and prints what runs where, with a query to paste', async () => {
    const started = await startStack();
    stack = started.running;
    apiUrl = started.url;

    await stack.waitForOutput(/^Stop with Ctrl-C/m);
    expect(stack.stdout()).toMatch(/^ {2}archive {6}dynalite at http:\/\/127\.0\.0\.1:\d+, table session-archive, data in .*dynamodb$/m);
    expect(stack.stdout()).toMatch(new RegExp(`^ {2}SSM source {3}emulator at http://127\\.0\\.0\\.1:\\d+: ${SESSIONS} sessions per 30 days`, 'm'));
    expect(stack.stdout()).toContain(`npx session-archive query --api ${apiUrl} --from `);
    expect(existsSync(join(dataDir, 'local.lock'))).toBe(true);
  });

  it('archives the emulated sessions in its first sweep and prints a one-line summary', async () => {
    const running = stack as RunningCli;
    const [line, number, seen, written] = await running.waitForOutput(SWEEP_LINE);

    expect(number).toBe('1');
    firstSweepWritten = Number(written);
    expect(firstSweepWritten).toBeGreaterThanOrEqual(4_000);
    expect(Number(seen)).toBe(firstSweepWritten);
    expect(line).not.toMatch(/GAP/);
    // The sweep takes about 15-25 s on two cores (dynalite writes a few hundred sessions a second);
    // this only keeps a machine busy with other test files from failing it.
  }, 300_000);

  it('query returns the archived sessions, newest first', async () => {
    const json = await runCli(['query', '--api', apiUrl, '--format', 'json', '--limit', '5']);
    const table = await runCli(['query', '--api', apiUrl, '--limit', '3', '--status', 'Terminated']);

    expect(json.code).toBe(0);
    const sessions = (JSON.parse(json.stdout) as { sessions: ExportedRow[]; nextToken?: string }).sessions;
    expect(sessions).toHaveLength(5);
    const starts = sessions.map((session) => session.startDate);
    expect(starts).toEqual([...starts].sort().reverse());
    expect(json.stderr).toMatch(/more sessions may match: continue with --next-token '[^']+'/);

    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STARTED \(UTC\) +ENDED \(UTC\) +STATUS +TARGET +OWNER +DOCUMENT +SESSION ID +REASON$/);
    expect(lines.slice(1)).toHaveLength(3);
    for (const row of lines.slice(1)) expect(row).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}Terminated /);
  });

  it('export --format csv writes every archived session, reporting progress on stderr', async () => {
    const out = join(dataDir, 'x.csv');

    const result = await runCli(['export', '--api', apiUrl, '--format', 'csv', '--out', out, '--progress-interval', '0']);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const rows = parseCsv(readFileSync(out), { columns: true, bom: false }) as ExportedRow[];
    expect(rows.length).toBeGreaterThanOrEqual(firstSweepWritten);
    expect(Object.keys(rows[0] as ExportedRow)).toEqual([...SESSION_CSV_COLUMNS]);
    exportedIds = rows.map((row) => row.sessionId);
    expect(new Set(exportedIds).size).toBe(rows.length);
    const progress = result.stderr.split('\n').filter((line) => /^exported \d+ sessions \(\d+\/s\)$/.test(line));
    // One line per page here (--progress-interval 0): a 1000-session page at most, so at least 4.
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(result.stderr).toMatch(new RegExp(`^exported ${rows.length} sessions to ${out.replace(/[.]/g, '\\.')} in [\\d.]+ s \\(\\d+/s\\)$`, 'm'));
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('stops on SIGTERM with exit code 0, closing the archive and releasing the data folder', async () => {
    const running = stack as RunningCli;

    running.child.kill('SIGTERM');
    const exit = await running.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(running.stdout()).toMatch(/^stopped; the archive is kept in .*dynamodb$/m);
    expect(running.stderr()).toBe('');
    expect(existsSync(join(dataDir, 'local.lock'))).toBe(false);
  });

  it('keeps the archive across a restart on the same data folder', async () => {
    const restarted = await startStack();
    stack = restarted.running;

    // The API answers from the folder at once, whether or not the new first sweep has finished.
    const result = await runCli(['export', '--api', restarted.url, '--format', 'jsonl']);
    expect(result.code).toBe(0);
    const ids = new Set(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as ExportedRow).sessionId),
    );
    expect(exportedIds.every((id) => ids.has(id))).toBe(true);

    // The emulator regenerates the same sessions: open ones archived before are found again,
    // so the sweep after the restart has almost nothing to write.
    const [line, , , written] = await stack.waitForOutput(SWEEP_LINE);
    expect(Number(written)).toBeLessThan(firstSweepWritten / 100);
    expect(line).not.toMatch(/ended unobserved|GAP/);
  });
});
