/**
 * `session-archive emulator`: runs the SSM Session Manager emulator standalone, with
 * generated sessions over the last 30 days (some still open), on the real clock.
 */
import { SystemClock, startSsmEmulator, type EmulatorOptions } from '../../local/ssm-emulator';
import { CliUsageError, runCli } from './cli-support';

const DAY_MS = 24 * 60 * 60 * 1000;

export const EMULATOR_USAGE = `Usage: session-archive emulator [options]

Runs an AWS SSM (Session Manager) emulator on this machine until Ctrl-C / SIGTERM.
Point the AWS SDK or CLI at it with --endpoint-url (any credentials, any region).

Options:
  --port <p>                    port to listen on (default 0: any free port; the endpoint is printed)
  --host <h>                    address to bind (default 127.0.0.1)
  --sessions <n>                sessions to generate over the last 30 days (default 1000)
  --seed <s>                    seed for the generated sessions (default 1)
  --retention-from <StartDate|EndDate>
                                what the 30-day History window counts from (default StartDate)
  --filters-after-max-results   apply filters after MaxResults (short/empty pages with NextToken)
  --throttle-rate <r>           share of requests answered with ThrottlingException (0-1)
  --error-rate <r>              share of requests answered with InternalServerError (0-1)
  --drop-rate <r>               share of requests whose connection is dropped (0-1)
  --help                        show this help

Example:
  session-archive emulator --port 4600 --sessions 5000
  aws ssm describe-sessions --state History --endpoint-url http://127.0.0.1:4600 --region us-east-1
`;

export interface EmulatorCommandOptions {
  help: boolean;
  port: number;
  host: string;
  sessions: number;
  seed: number;
  retentionFrom: 'StartDate' | 'EndDate';
  filtersAfterMaxResults: boolean;
  throttleRate: number;
  errorRate: number;
  dropRate: number;
}

/** The shared usage error (exit code 2), under the name this module first gave it. */
export const UsageError = CliUsageError;

export async function runEmulatorCommand(argv: string[]): Promise<void> {
  await runCli('emulator', EMULATOR_USAGE, async () => {
    const options = parseEmulatorArgs(argv);
    if (options.help) return EMULATOR_USAGE;
    await serveEmulator(options);
  });
}

async function serveEmulator(options: EmulatorCommandOptions): Promise<void> {
  const clock = new SystemClock();
  const emulatorOptions: EmulatorOptions = {
    port: options.port,
    host: options.host,
    clock,
    retentionFrom: options.retentionFrom,
    filtersAfterMaxResults: options.filtersAfterMaxResults,
  };
  if (options.throttleRate > 0 || options.errorRate > 0 || options.dropRate > 0) {
    emulatorOptions.faults = {
      seed: options.seed,
      throttleRate: options.throttleRate,
      errorRate: options.errorRate,
      dropRate: options.dropRate,
    };
  }
  const emulator = await startSsmEmulator(emulatorOptions);
  const nowMs = clock.now();
  emulator.generateSessions({ count: options.sessions, seed: options.seed, fromMs: nowMs - 30 * DAY_MS, toMs: nowMs });
  process.stdout.write(`SSM emulator listening on ${emulator.endpoint}\n`);
  process.stdout.write(`${options.sessions} sessions generated (seed ${options.seed}); stop with Ctrl-C\n`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await emulator.close();
  process.stdout.write('SSM emulator stopped\n');
}

export function parseEmulatorArgs(argv: readonly string[]): EmulatorCommandOptions {
  const options: EmulatorCommandOptions = {
    help: false,
    port: 0,
    host: '127.0.0.1',
    sessions: 1000,
    seed: 1,
    retentionFrom: 'StartDate',
    filtersAfterMaxResults: false,
    throttleRate: 0,
    errorRate: 0,
    dropRate: 0,
  };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    const [flag, inlineValue] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg, '=') : [arg, undefined];
    const takeValue = (): string => {
      if (inlineValue !== undefined) return inlineValue;
      const next = argv[index + 1];
      if (next === undefined || next.startsWith('--')) throw new CliUsageError(`${flag} needs a value`);
      index += 1;
      return next;
    };
    switch (flag) {
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--port':
        options.port = integerIn(flag, takeValue(), 0, 65535);
        break;
      case '--host':
        options.host = takeValue();
        break;
      case '--sessions':
        options.sessions = integerIn(flag, takeValue(), 0, 5_000_000);
        break;
      case '--seed':
        options.seed = integerIn(flag, takeValue(), -2_147_483_648, 4_294_967_295);
        break;
      case '--retention-from': {
        const value = takeValue();
        if (value !== 'StartDate' && value !== 'EndDate') throw new CliUsageError(`--retention-from must be StartDate or EndDate, got '${value}'`);
        options.retentionFrom = value;
        break;
      }
      case '--filters-after-max-results':
        options.filtersAfterMaxResults = true;
        break;
      case '--throttle-rate':
        options.throttleRate = rate(flag, takeValue());
        break;
      case '--error-rate':
        options.errorRate = rate(flag, takeValue());
        break;
      case '--drop-rate':
        options.dropRate = rate(flag, takeValue());
        break;
      default:
        throw new CliUsageError(`unknown option '${arg}'`);
    }
  }
  if (options.throttleRate + options.errorRate + options.dropRate > 1) {
    throw new CliUsageError('--throttle-rate + --error-rate + --drop-rate must not exceed 1');
  }
  return options;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + 1)];
}

function integerIn(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) {
    throw new CliUsageError(`${flag} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

function rate(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new CliUsageError(`${flag} must be a number from 0 to 1, got '${text}'`);
  }
  return value;
}
