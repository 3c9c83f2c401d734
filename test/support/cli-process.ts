/** The `session-archive` CLI as a child process, the way a user runs it. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { HERMETIC_AWS_ENV } from './hermetic-env';

export const REPO_ROOT = join(__dirname, '..', '..');
const CLI_ENTRY = join(REPO_ROOT, 'bin', 'session-archive.js');

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliResult extends CliExit {
  stdout: string;
  stderr: string;
}

/** What a child process may inherit from the shell: where programs and temporary files are, and the locale. */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'];

/**
 * An explicit environment for a process a test starts: the few inherited basics, the hermetic
 * AWS settings (no profile, no metadata service), and `extra`. Nothing else from the shell.
 */
export function testProcessEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name];
  return { ...env, ...HERMETIC_AWS_ENV, NO_COLOR: '1', ...extra };
}

/** The same explicit environment; the name the CLI tests have always used. */
export const cleanEnv = testProcessEnv;

export interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<CliExit>;
  /** Resolves with the first match in stdout (seen so far or later); rejects if the process exits first. */
  waitForOutput(pattern: RegExp): Promise<RegExpExecArray>;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv()): RunningCli {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], { cwd: REPO_ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<CliExit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForOutput: (pattern) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(stdout);
          if (!match) return;
          child.stdout.off('data', check);
          resolve(match);
        };
        child.stdout.on('data', check);
        check();
        void exited.then((exit) => reject(new Error(`session-archive ${args.join(' ')} exited (${JSON.stringify(exit)}) before printing ${pattern}:\n${stdout}\n${stderr}`)));
      }),
  };
}

/** Runs a command to its end. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<CliResult> {
  const running = startCli(args, env);
  running.child.stdin.end();
  const exit = await running.exited;
  return { ...exit, stdout: running.stdout(), stderr: running.stderr() };
}
