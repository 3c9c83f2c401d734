/**
 * `session-archive emulator`: runs the SSM Session Manager emulator standalone, with
 * generated sessions over the last 30 days (some still open), on the real clock.
 */
import { SystemClock, startSsmEmulator, type EmulatorGuesses, type EmulatorOptions } from '../../local/ssm-emulator';
import { CliUsageError, runCli, untilStopSignal } from './cli-support';

const DAY_MS = 24 * 60 * 60 * 1000;

export const EMULATOR_USAGE = `Usage: session-archive emulator [options]

Runs an AWS SSM (Session Manager) emulator on this machine until Ctrl-C / SIGTERM.
Point the AWS SDK or CLI at it with --endpoint-url (any credentials, any region).

Options:
  --port <p>                    port to listen on (default 0: any free port; the endpoint is printed)
  --host <h>                    address to bind (default 127.0.0.1)
  --sessions <n>                sessions to generate over the last 30 days (default 1000)
  --seed <s>                    seed for the generated sessions (default 1)

What SSM does that nobody outside AWS knows for sure (each a guess a sweep must survive):
  --retention-from <StartDate|EndDate>
                                what the 30-day History window counts from (default StartDate)
  --visibility-lag <seconds>    a session shows up in Active this long after it starts, and in
                                History this long after it ends; in neither list meanwhile (default 0)
  --clock-offset <seconds>      SSM's clock runs this far from this machine's, either sign: listing,
                                NextToken ages and the HTTP Date header use it (default 0)
  --unstable-pages <rate>       share of follow-up pages (0-1) that skip or repeat 1-3 sessions at the
                                page boundary when sessions started or ended since the NextToken was
                                issued; seeded by --seed (default 0)
  --terminating-in <Active|History>
                                the list Terminating sessions appear in (default Active)
  --failed-in <History|Active>  the list Failed sessions appear in (default History)
  --token-ttl <seconds>         NextTokens expire this long after they were issued (default 86400)
  --filters-after-max-results   apply filters after MaxResults (short/empty pages with NextToken)

Faults:
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
  /** The guesses given on the command line; the emulator's defaults stand for the rest. */
  guesses: Partial<EmulatorGuesses>;
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
    unstablePageSeed: options.seed,
    ...options.guesses,
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
  const nowMs = emulator.ssmNow();
  emulator.generateSessions({ count: options.sessions, seed: options.seed, fromMs: nowMs - 30 * DAY_MS, toMs: nowMs });
  process.stdout.write(`SSM emulator listening on ${emulator.endpoint}\n`);
  process.stdout.write(`${options.sessions} sessions generated (seed ${options.seed}); stop with Ctrl-C\n`);

  await untilStopSignal();
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
    guesses: {},
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
      case '--retention-from':
        options.guesses.retentionFrom = choice(flag, takeValue(), ['StartDate', 'EndDate'] as const);
        break;
      case '--terminating-in':
        options.guesses.terminatingIn = choice(flag, takeValue(), ['Active', 'History'] as const);
        break;
      case '--failed-in':
        options.guesses.failedIn = choice(flag, takeValue(), ['History', 'Active'] as const);
        break;
      case '--visibility-lag':
        options.guesses.visibilityLagMs = seconds(flag, takeValue(), 0, MAX_SECONDS) * 1000;
        break;
      case '--clock-offset':
        options.guesses.clockOffsetMs = seconds(flag, takeValue(), -MAX_SECONDS, MAX_SECONDS) * 1000;
        break;
      case '--token-ttl':
        options.guesses.nextTokenTtlMs = seconds(flag, takeValue(), 0.001, MAX_SECONDS) * 1000;
        break;
      case '--unstable-pages':
        options.guesses.unstablePageRate = rate(flag, takeValue());
        break;
      case '--filters-after-max-results':
        options.guesses.filtersAfterMaxResults = true;
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

/** A year: far more than any guess worth testing, small enough to stay exact in milliseconds. */
const MAX_SECONDS = 365 * 86_400;

function choice<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  const found = allowed.find((value) => value === text);
  if (found === undefined) throw new CliUsageError(`${flag} must be ${allowed.join(' or ')}, got '${text}'`);
  return found;
}

/** Seconds, possibly fractional or (where min < 0) negative. */
function seconds(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^-?\d+(\.\d+)?$/.test(text.trim()) || value < min || value > max) {
    throw new CliUsageError(`${flag} must be a number of seconds from ${min} to ${max}, got '${text}'`);
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
