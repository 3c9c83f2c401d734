/**
 * What every benchmark part shares: child processes that speak one JSON line at a time, the
 * request counter, the statistics, and the machine description that goes into the report.
 */
import { countRequests } from '../local/request-counter';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const PROJECT_ROOT = join(__dirname, '..');
/** Seeded data is kept here between runs (gitignored). */
export const CACHE_DIR = join(PROJECT_ROOT, '.bench-cache');

export const BENCH_ACCOUNT_ID = '123456789012';
export const BENCH_REGION = 'eu-west-1';
export const BENCH_CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };

/** Writes progress to stderr, so stdout keeps only the table. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Children still running: killed if this process exits early (an error must not leave dynalite behind). */
const liveChildren = new Set<ChildProcess>();
const stopChildren = (): void => {
  for (const child of liveChildren) child.kill('SIGTERM');
};
process.once('exit', stopChildren);
// Ctrl-C during a ten-minute run: take the children down too (Node skips 'exit' on a signal).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopChildren();
    process.exit(130);
  });
}

/** A TypeScript child process: JSON lines out (the first is its `ready` line), command lines in. */
export interface JsonLineChild<Ready> {
  readonly pid: number;
  readonly ready: Ready;
  /** Sends one command line and resolves with the next JSON line the child prints. */
  request<T>(command: string): Promise<T>;
  /** Resolves with the next JSON line the child prints (for children that run to completion). */
  nextLine<T>(): Promise<T>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export interface ChildOptions {
  /** Extra `node` flags, e.g. heap limits. */
  nodeFlags?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts `node --import tsx <script> <args>` and waits for its first stdout line. Children write
 * diagnostics to stderr, which is passed through.
 */
export async function startJsonLineChild<Ready>(script: string, args: readonly string[], options: ChildOptions = {}): Promise<JsonLineChild<Ready>> {
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', join(PROJECT_ROOT, script), ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
    // NODE_NO_WARNINGS: the SDK's Node-version notice would repeat in every child's stderr.
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...options.env },
  });
  liveChildren.add(child);
  const pending: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  const buffered: string[] = [];
  let exited: Error | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      exited = new Error(`${script} exited (${signal ?? code}) before answering`);
      for (const waiter of pending.splice(0)) waiter.reject(exited);
      resolve();
    });
  });
  const stdout = child.stdout;
  if (!stdout || !child.stdin || child.pid === undefined) throw new Error(`could not start ${script}`);
  createInterface({ input: stdout }).on('line', (line) => {
    const waiter = pending.shift();
    if (waiter) waiter.resolve(line);
    else buffered.push(line);
  });
  const nextRaw = (): Promise<string> => {
    const line = buffered.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (exited) return Promise.reject(exited);
    return new Promise((resolve, reject) => pending.push({ resolve, reject }));
  };
  const nextLine = async <T>(): Promise<T> => JSON.parse(await nextRaw()) as T;
  const ready = await nextLine<Ready>();
  const stdin = child.stdin;
  return {
    pid: child.pid,
    ready,
    nextLine,
    request: <T>(command: string): Promise<T> => {
      stdin.write(`${command}\n`);
      return nextLine<T>();
    },
    stop: async () => {
      if (!exited) {
        child.kill('SIGTERM');
        await exitPromise;
      }
    },
  };
}

export function snapshot(counts: Readonly<Record<string, number>>): Record<string, number> {
  return { ...counts };
}

/** counts − before, per operation. */
export function countsSince(counts: Readonly<Record<string, number>>, before: Readonly<Record<string, number>>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, value] of Object.entries(counts)) {
    const difference = value - (before[name] ?? 0);
    if (difference !== 0) delta[name] = difference;
  }
  return delta;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

/** Deterministic uniform numbers in [0, 1) from a seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Peak and current resident set size of this process, in bytes (Linux /proc; resourceUsage elsewhere). */
export function memoryOfThisProcess(): { peakRssBytes: number; rssBytes: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kilobytes = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    const peak = kilobytes('VmHWM');
    const current = kilobytes('VmRSS');
    if (Number.isFinite(peak) && Number.isFinite(current)) return { peakRssBytes: peak, rssBytes: current };
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return { peakRssBytes: process.resourceUsage().maxRSS * 1024, rssBytes: process.memoryUsage().rss };
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** Narrows an unknown error to a printable message. */
export function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

export { countRequests };
