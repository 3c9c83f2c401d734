import { forStream } from './terminal-text';

/**
 * What every command shares: exit codes (0 success, 2 bad input, 1 failure), one-line messages
 * on stderr instead of stack traces, and numeric flag parsing.
 */

/** A mistake in the command line: reported on stderr with exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** A failure already worded for the user (what went wrong and what to do): printed as is, exit 1. */
export class CliFailureError extends Error {
  override readonly name = 'CliFailureError';
}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * Runs a command body. The body returns text for stdout; usage errors (including those thrown
 * by node:util parseArgs) exit 2, anything else exits 1 with its message.
 */
export async function runCli(command: string, usage: string, body: () => Promise<string | void>): Promise<void> {
  try {
    const output = await body();
    if (output) process.stdout.write(output);
  } catch (error: unknown) {
    if (isUsageError(error)) {
      process.stderr.write(`session-archive ${command}: ${shownOnStderr((error as Error).message)}\nRun 'session-archive ${command} --help' for usage.\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stderr.write(`session-archive ${command}: ${shownOnStderr(describeFailure(error))}\n`);
    process.exitCode = EXIT.failure;
  }
  void usage;
}

/** Messages can quote the API, which can quote archived text: escaped on a terminal like the data. */
function shownOnStderr(message: string): string {
  return forStream(process.stderr)(message);
}

function isUsageError(error: unknown): boolean {
  if (error instanceof CliUsageError) return true;
  // parseArgs reports unknown or malformed options with these codes.
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** A one-line account of a failure, naming what could not be reached where that is the cause. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof CliFailureError) return error.message;
  const code = (error as { code?: string }).code ?? (error.cause as { code?: string } | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    return `cannot reach the endpoint (${code}): ${error.message}`;
  }
  if (error.name === 'CredentialsProviderError') return `no AWS credentials found: ${error.message}`;
  return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
}

export function positiveInteger(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new CliUsageError(`${flag} must be a positive whole number, got '${raw}'`);
  return Number(raw);
}

/** Resolves at the first Ctrl-C or SIGTERM, for commands that serve until stopped. */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
