/**
 * The auditor's terminal and files. A session's reason is chosen by the person audited; here it
 * carries terminal escapes (set the title, clear the screen, a C1 CSI), a bidi override and a bare
 * carriage return. The CLI runs as its own process on a real pseudo-terminal (util-linux
 * `script`): none of those characters reaches the terminal raw, in table, CSV or JSON. Piped
 * output stays exact. `--out` creates a new 0600 file and refuses an existing file or a link.
 */
import { spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiService } from '../../bin/commands/api';
import type { LocalApiServer } from '../../local/api-server';
import { cleanEnv, REPO_ROOT, runCli } from '../support/cli-process';
import { REGION, startSweepRig, type SweepRig } from '../support/sweep-harness';

const T0 = Date.UTC(2026, 2, 10, 9);
const REASON = 'INC-1 \u202egnp.exe\u202c \u001b]0;owned\u0007 \u001b[2J \u009b31m red \r overwritten';
const RAW = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const CLI = join(REPO_ROOT, 'bin', 'session-archive.js');

let rig: SweepRig;
let api: LocalApiServer;
let dir: string;
beforeAll(async () => {
  rig = await startSweepRig({ startMs: T0 + 2 * 3_600_000 });
  rig.emulator.addSessions([
    { sessionId: 'mallory-0aaaaaaaaaaaaaaaa', target: 'i-0123456789abcdef0', owner: 'arn:aws:iam::123456789012:user/mallory', accessType: 'Standard', reason: REASON, startMs: T0, endMs: T0 + 3_600_000, endStatus: 'Terminated' },
  ]);
  await rig.sweep();
  api = await startApiService({ table: rig.tableName, dynamodbEndpoint: rig.storeEndpoint, port: 0, host: '127.0.0.1', region: REGION });
  dir = mkdtempSync(join(tmpdir(), 'session-archive-out-'));
}, 60_000);
afterAll(async () => {
  await api?.close();
  await rig?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const queryArgs = (format: string) => ['query', '--api', api.url, '--from', '2026-03-01', '--to', '2026-04-01', '--format', format, '--progress-interval', '3600'];

const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI with a pseudo-terminal as stdout and stderr; resolves with what the terminal received. */
function onTerminal(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env: cleanEnv({ SHELL: '/bin/sh', TERM: 'dumb' }) });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
  });
  child.stdin.end();
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

describe('text on a terminal', () => {
  it.each(['table', 'csv', 'jsonl'])('%s: no control or bidi character reaches the terminal raw', async (format) => {
    const { code, output } = await onTerminal(queryArgs(format));
    expect(code).toBe(0);
    // The terminal driver turns each \n into \r\n; nothing else may be a control character.
    const lines = output.replace(/\r\n/g, '\n');
    expect(lines).toContain('mallory-0aaaaaaaaaaaaaaaa');
    expect(lines).not.toMatch(RAW);
    expect(lines).toContain('\\u001b]0;owned\\u0007');
    expect(lines).toContain('\\u202egnp.exe\\u202c');
  });

  it('json on a terminal stays valid JSON that means the same', async () => {
    const { code, output } = await onTerminal(queryArgs('json'));
    expect(code).toBe(0);
    const text = output.replace(/\r\n/g, '\n');
    expect(text).not.toMatch(RAW);
    const page = JSON.parse(text) as { sessions: Array<{ reason: string }> };
    expect(page.sessions.map((session) => session.reason)).toEqual([REASON]);
  });

  it('piped output is exact', async () => {
    const result = await runCli(queryArgs('jsonl'));
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { reason: string }).reason).toBe(REASON);
    expect(result.stdout).toContain('\u009b31m');
  });
});

describe('--out files', () => {
  it('creates a new file readable by its owner only', async () => {
    const out = join(dir, 'sessions.csv');
    const result = await runCli(['export', '--api', api.url, '--from', '2026-03-01', '--to', '2026-04-01', '--out', out]);
    expect(result.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toContain('mallory-0aaaaaaaaaaaaaaaa');
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('refuses an existing file with exit 2 and leaves it alone', async () => {
    const out = join(dir, 'existing.csv');
    writeFileSync(out, 'keep me\n');
    for (const command of [['export'], ['findings']]) {
      const result = await runCli([...command, '--api', api.url, '--out', out]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--out ${out} already exists (a file); exports never overwrite or follow one`);
    }
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
  });

  it('refuses a symbolic link, dangling or not, and never writes through it', async () => {
    const target = join(dir, 'target-of-link.csv');
    const dangling = join(dir, 'dangling.csv');
    symlinkSync(target, dangling);
    const result = await runCli(['export', '--api', api.url, '--out', dangling]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--out ${dangling} already exists (a symbolic link)`);
    expect(existsSync(target)).toBe(false);
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);

    writeFileSync(target, 'victim\n');
    const linked = join(dir, 'linked.csv');
    symlinkSync(target, linked);
    expect((await runCli(['query', '--api', api.url, '--format', 'csv', '--out', linked])).code).toBe(2);
    expect(readFileSync(target, 'utf8')).toBe('victim\n');
  });

  it('refuses a link planted at the partial file', async () => {
    const out = join(dir, 'planted.csv');
    const target = join(dir, 'planted-target');
    symlinkSync(target, `${out}.partial`);
    const result = await runCli(['export', '--api', api.url, '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${out}.partial already exists`);
    expect(existsSync(target)).toBe(false);
  });
});
