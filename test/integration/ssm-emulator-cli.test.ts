/**
 * The emulator from the outside: Debian's AWS CLI v2 talking to it, the same requests over raw
 * HTTP, and the `session-archive emulator` command run as its own process.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeSessionsCommand, paginateDescribeSessions } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEmulatorArgs, UsageError } from '../../bin/commands/emulator';
import { ManualClock, startSsmEmulator, type SsmEmulator } from '../../local/ssm-emulator';
import { emulatorSsmClient, rawSsmCall } from '../../local/ssm-emulator/clients';
import { cleanEnv } from '../support/cli-process';
import { AWS_CLI, describeWithAwsCli } from '../support/aws-cli';

const REPO_ROOT = join(__dirname, '..', '..');
const NOW = Date.UTC(2024, 7, 29, 12, 0, 0);
const DAY = 86_400_000;
const runFile = promisify(execFile);

/** Dummy credentials and no user config, so the CLI only ever talks to the emulator. */
const CLI_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: '/nonexistent',
  AWS_ACCESS_KEY_ID: 'AKIACLITEST000000000',
  AWS_SECRET_ACCESS_KEY: 'cli-test-secret',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_PAGER: '',
  AWS_EC2_METADATA_DISABLED: 'true',
};

interface CliSession {
  SessionId: string;
  StartDate: string;
  EndDate?: string;
  Status: string;
}

describeWithAwsCli('AWS CLI v2 against the emulator', () => {
  let emulator: SsmEmulator;
  let expectedIds: string[];

  beforeAll(async () => {
    emulator = await startSsmEmulator({ clock: new ManualClock(NOW) });
    emulator.generateSessions({ count: 450, seed: 21, fromMs: NOW - 20 * DAY, toMs: NOW });
    expectedIds = emulator
      .allSessions()
      .filter((session) => emulator.stateOf(session) === 'History')
      .map((session) => session.sessionId);
  });
  afterAll(() => emulator.close());

  it('describe-sessions --state History returns every History session', async () => {
    const pagesNeeded = Math.ceil(expectedIds.length / 200);
    const { stdout } = await runFile(
      AWS_CLI,
      ['ssm', 'describe-sessions', '--state', 'History', '--endpoint-url', emulator.endpoint, '--region', 'us-east-1', '--output', 'json'],
      { env: CLI_ENV },
    );
    const output = JSON.parse(stdout) as { Sessions: CliSession[]; NextToken?: string };
    // The CLI follows NextToken itself and merges the pages.
    expect(output.Sessions.map((session) => session.SessionId)).toEqual(expectedIds);
    expect(output.NextToken).toBeUndefined();
    expect(emulator.stats.describeByState.History).toBe(pagesNeeded);
    const first = output.Sessions[0] as CliSession;
    const truth = emulator.allSessions().find((session) => session.sessionId === first.SessionId);
    expect(Date.parse(first.StartDate)).toBe(truth?.startMs);
    expect(Date.parse(first.EndDate as string)).toBe(truth?.endMs);
  });

  it('reports emulator errors the way the CLI reports AWS errors', async () => {
    const failure = await runFile(
      AWS_CLI,
      ['ssm', 'describe-sessions', '--state', 'History', '--filters', 'key=Bogus,value=x', '--endpoint-url', emulator.endpoint, '--region', 'us-east-1'],
      { env: CLI_ENV },
    ).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    // CLI v2 exits 254 on a service error (v1: 255).
    expect([254, 255]).toContain(failure?.code);
    expect(failure?.stderr).toContain('An error occurred (InvalidFilterKey) when calling the DescribeSessions operation');
  });
});

describe('the same requests over raw HTTP', () => {
  let emulator: SsmEmulator;
  let expectedIds: string[];

  beforeAll(async () => {
    emulator = await startSsmEmulator({ clock: new ManualClock(NOW) });
    emulator.generateSessions({ count: 450, seed: 21, fromMs: NOW - 20 * DAY, toMs: NOW });
    expectedIds = emulator
      .allSessions()
      .filter((session) => emulator.stateOf(session) === 'History')
      .map((session) => session.sessionId);
  });
  afterAll(() => emulator.close());

  it('DescribeSessions State=History, followed to its last NextToken, returns every History session', async () => {
    const pagesNeeded = Math.ceil(expectedIds.length / 200);
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const response = await rawSsmCall(emulator.endpoint, {
        operation: 'DescribeSessions',
        body: nextToken ? { State: 'History', NextToken: nextToken } : { State: 'History' },
      });
      expect(response.status).toBe(200);
      const sessions = response.json?.Sessions as Array<{ SessionId: string; StartDate: unknown }>;
      expect(sessions.every((session) => typeof session.StartDate === 'number')).toBe(true);
      ids.push(...sessions.map((session) => session.SessionId));
      nextToken = response.json?.NextToken as string | undefined;
    } while (nextToken);
    expect(ids).toEqual(expectedIds);
    expect(emulator.stats.describeByState.History).toBe(pagesNeeded);
  });

  it('answers a bad filter key with a 400 InvalidFilterKey', async () => {
    const response = await rawSsmCall(emulator.endpoint, {
      operation: 'DescribeSessions',
      body: { State: 'History', Filters: [{ key: 'Bogus', value: 'x' }] },
    });
    expect(response.status).toBe(400);
    expect(response.json?.__type).toBe('InvalidFilterKey');
  });
});

/** Runs the emulator command in its own Node process, through tsx. */
function spawnEmulatorCommand(args: readonly string[]): ChildProcessWithoutNullStreams {
  const script = `require('./bin/commands/emulator.ts').runEmulatorCommand(${JSON.stringify(args)})`;
  return spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, env: cleanEnv() });
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function collect(stream: NodeJS.ReadableStream): { text: () => string } {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
  });
  return { text: () => text };
}

describe('session-archive emulator command', () => {
  it('serves generated sessions on the printed endpoint and exits cleanly on SIGTERM', async () => {
    const child = spawnEmulatorCommand(['--port', '0', '--sessions', '50', '--seed', '7']);
    const exited = exitOf(child);
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = /^SSM emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout.text());
        if (match) resolve(match[1] as string);
      });
      void exited.then(() => reject(new Error(`emulator exited early: ${stderr.text()}`)));
    });

    const client = emulatorSsmClient(endpoint, { maxAttempts: 1 });
    const countSessions = async (state: 'Active' | 'History'): Promise<number> => {
      let count = 0;
      for await (const page of paginateDescribeSessions({ client, pageSize: 20 }, { State: state })) count += page.Sessions?.length ?? 0;
      return count;
    };
    const history = await countSessions('History');
    const active = await countSessions('Active');
    expect(history).toBeGreaterThan(30);
    expect(history + active).toBeLessThanOrEqual(50);
    client.destroy();

    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stdout.text()).toContain('SSM emulator stopped');
  });

  it('prints usage for --help', async () => {
    const child = spawnEmulatorCommand(['--help']);
    const stdout = collect(child.stdout);
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    expect(stdout.text()).toContain('Usage: session-archive emulator');
    expect(stdout.text()).toContain('--sessions <n>');
    // Every guess about SSM is a documented flag.
    for (const flag of ['--retention-from', '--visibility-lag <seconds>', '--clock-offset <seconds>', '--unstable-pages <rate>', '--terminating-in', '--failed-in', '--token-ttl <seconds>', '--filters-after-max-results']) {
      expect(stdout.text()).toContain(flag);
    }
  });

  it('runs with SSM\'s clock off by the --clock-offset, and the SDK takes its clock offset from the Date header', async () => {
    const child = spawnEmulatorCommand(['--sessions', '20', '--clock-offset', '-1800', '--visibility-lag', '60', '--failed-in', 'Active']);
    const exited = exitOf(child);
    const stdout = collect(child.stdout);
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = /^SSM emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout.text());
        if (match) resolve(match[1] as string);
      });
      void exited.then(() => reject(new Error('emulator exited early')));
    });
    const client = emulatorSsmClient(endpoint, { maxAttempts: 1 });
    const before = Date.now();
    const answer = await client.send(new DescribeSessionsCommand({ State: 'Active' }));
    client.destroy();

    // The Date header is SSM's clock, 30 minutes behind; the SDK now signs with that offset.
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(client.config.systemClockOffset).toBeGreaterThan(-1800_000 - 5_000);
    expect(client.config.systemClockOffset).toBeLessThan(-1800_000 + 5_000 + (Date.now() - before));
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  });

  it('rejects a bad flag with a message on stderr and exit code 2, without starting', async () => {
    const child = spawnEmulatorCommand(['--port', 'eighty']);
    const stderr = collect(child.stderr);
    const stdout = collect(child.stdout);
    expect(await exitOf(child)).toEqual({ code: 2, signal: null });
    expect(stderr.text()).toContain("--port must be an integer from 0 to 65535, got 'eighty'");
    expect(stdout.text()).toBe('');
  });

  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['--sessions'], '--sessions needs a value'],
    [['--seed', '--port', '1'], '--seed needs a value'],
    [['--sessions', '-1'], '--sessions must be an integer'],
    [['--throttle-rate', '2'], '--throttle-rate must be a number from 0 to 1'],
    [['--drop-rate', '0.6', '--error-rate', '0.6'], 'must not exceed 1'],
    [['--retention-from', 'Yesterday'], '--retention-from must be StartDate or EndDate'],
    [['--visibility-lag', '-5'], "--visibility-lag must be a number of seconds from 0 to 31536000, got '-5'"],
    [['--visibility-lag', 'soon'], '--visibility-lag must be a number of seconds'],
    [['--clock-offset', '1e9'], "--clock-offset must be a number of seconds from -31536000 to 31536000, got '1e9'"],
    [['--clock-offset'], '--clock-offset needs a value'],
    [['--unstable-pages', '1.5'], "--unstable-pages must be a number from 0 to 1, got '1.5'"],
    [['--terminating-in', 'Limbo'], "--terminating-in must be Active or History, got 'Limbo'"],
    [['--failed-in', 'history'], "--failed-in must be History or Active, got 'history'"],
    [['--token-ttl', '0'], "--token-ttl must be a number of seconds from 0.001 to 31536000, got '0'"],
  ])('explains why %j is not accepted', (args, message) => {
    expect(() => parseEmulatorArgs(args)).toThrow(UsageError);
    expect(() => parseEmulatorArgs(args)).toThrow(message);
  });

  it('parses every option', () => {
    expect(
      parseEmulatorArgs([
        '--port=4600', '--host', '0.0.0.0', '--sessions', '10', '--seed', '3', '--retention-from', 'EndDate',
        '--filters-after-max-results', '--throttle-rate', '0.1', '--error-rate', '0.05', '--drop-rate', '0.05',
        '--visibility-lag', '90', '--clock-offset=-1200', '--unstable-pages', '0.25', '--terminating-in', 'History',
        '--failed-in', 'Active', '--token-ttl', '600',
      ]),
    ).toEqual({
      help: false,
      port: 4600,
      host: '0.0.0.0',
      sessions: 10,
      seed: 3,
      guesses: {
        retentionFrom: 'EndDate',
        filtersAfterMaxResults: true,
        visibilityLagMs: 90_000,
        clockOffsetMs: -1_200_000,
        unstablePageRate: 0.25,
        terminatingIn: 'History',
        failedIn: 'Active',
        nextTokenTtlMs: 600_000,
      },
      throttleRate: 0.1,
      errorRate: 0.05,
      dropRate: 0.05,
    });
  });
});
