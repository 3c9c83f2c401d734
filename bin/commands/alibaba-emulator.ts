/**
 * `session-archive alibaba-emulator`: runs the Alibaba Cloud ECS emulator (DescribeTerminalSessions)
 * standalone, with generated sessions over the last 30 days, on the real clock. It accepts
 * requests signed with the key pair it is given; the secret is never printed.
 */
import { parseArgs } from 'node:util';
import { RESULT_ORDERS, SystemClock, startAlibabaEmulator, type AlibabaEmulatorOptions, type ResultOrder } from '../../local/emulators/alibaba';
import { ALIBABA_REGIONS, DEFAULT_REGION } from '../../local/emulators/alibaba/regions';
import { CliUsageError, runCli, untilStopSignal } from './cli-support';

const DAY_MS = 86_400_000;

export const ALIBABA_EMULATOR_USAGE = `Usage: session-archive alibaba-emulator [options]

Runs an Alibaba Cloud ECS emulator (DescribeTerminalSessions, Session Manager history) on this
machine until Ctrl-C / SIGTERM. It checks V3 (ACS3-HMAC-SHA256) and V2 (HMAC-SHA1) signatures
against the key pair below. Point the official SDK at it with endpoint '127.0.0.1:<port>' and
protocol 'HTTP'.

Options:
  --port <p>                 port to listen on (default 0: any free port; the endpoint is printed)
  --host <h>                 address to bind (default 127.0.0.1)
  --access-key-id <id>       the AccessKey id requests must be signed with
                             (default: $ALIBABA_CLOUD_ACCESS_KEY_ID)
  --access-key-secret <s>    its secret (default: $ALIBABA_CLOUD_ACCESS_KEY_SECRET, which keeps it
                             out of the process list); never printed
  --sessions <n>             sessions to generate over the last 30 days (default 1000)
  --seed <s>                 seed for the generated sessions, the shuffled orders and faults (default 1)
  --region <r>               region of the generated sessions (default ${DEFAULT_REGION})

What Alibaba does not document (settings a sweep must survive):
  --order <o>                ${RESULT_ORDERS.join(' | ')}: result order (default newest);
                             shuffled = newest first across pages, random within each page;
                             scattered = a seeded order unrelated to time
  --clock-offset <seconds>   Alibaba's clock runs this far from this machine's, either sign (default 0)
  --token-ttl <seconds>      NextTokens expire this long after they were issued (default: never)
  --retention-days <d>       how long records are kept after CreationTime (default 30)
  --record-cap <n>           how many records are kept at most, oldest dropped first (default 1000)

Faults:
  --throttle-rate <r>        share of requests answered with Throttling.User (0-1)
  --error-rate <r>           share of requests answered with InternalError, 500 (0-1)
  --drop-rate <r>            share of requests whose connection is dropped (0-1)
  --latency-rate <r>         share of requests delayed by --latency-ms (0-1)
  --latency-ms <ms>          the delay (default 100)
  --help                     show this help

Example:
  ALIBABA_CLOUD_ACCESS_KEY_SECRET=local-secret \\
    session-archive alibaba-emulator --port 4700 --access-key-id LTAI5tLocal --sessions 2500
`;

export async function runAlibabaEmulatorCommand(argv: string[]): Promise<void> {
  await runCli('alibaba-emulator', ALIBABA_EMULATOR_USAGE, async () => {
    const options = parseAlibabaEmulatorArgs(argv, process.env);
    if (options === 'help') return ALIBABA_EMULATOR_USAGE;
    await serve(options);
  });
}

export interface AlibabaEmulatorCommand {
  emulator: AlibabaEmulatorOptions;
  sessions: number;
  seed: number;
  region: string;
}

async function serve(command: AlibabaEmulatorCommand): Promise<void> {
  const emulator = await startAlibabaEmulator(command.emulator);
  const nowMs = emulator.alibabaNow();
  emulator.generateSessions({ count: command.sessions, seed: command.seed, fromMs: nowMs - 30 * DAY_MS, toMs: nowMs, regionId: command.region });
  const keyId = command.emulator.accessKeys[0]?.accessKeyId ?? '';
  process.stdout.write(`Alibaba ECS emulator listening on ${emulator.url} (SDK: endpoint '${emulator.endpoint}', protocol 'HTTP')\n`);
  process.stdout.write(`${command.sessions} sessions generated in ${command.region} (seed ${command.seed}); accepting AccessKey id ${keyId} and its secret; stop with Ctrl-C\n`);
  await untilStopSignal();
  await emulator.close();
  process.stdout.write('Alibaba ECS emulator stopped\n');
}

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  port: { type: 'string' },
  host: { type: 'string' },
  'access-key-id': { type: 'string' },
  'access-key-secret': { type: 'string' },
  sessions: { type: 'string' },
  seed: { type: 'string' },
  region: { type: 'string' },
  order: { type: 'string' },
  'clock-offset': { type: 'string' },
  'token-ttl': { type: 'string' },
  'retention-days': { type: 'string' },
  'record-cap': { type: 'string' },
  'throttle-rate': { type: 'string' },
  'error-rate': { type: 'string' },
  'drop-rate': { type: 'string' },
  'latency-rate': { type: 'string' },
  'latency-ms': { type: 'string' },
} as const;

export function parseAlibabaEmulatorArgs(argv: readonly string[], env: NodeJS.ProcessEnv): AlibabaEmulatorCommand | 'help' {
  const { values } = parseArgs({ args: joinNegativeValues(argv), options: FLAGS, strict: true, allowPositionals: false });
  if (values.help) return 'help';
  const accessKeyId = values['access-key-id'] ?? env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const accessKeySecret = values['access-key-secret'] ?? env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  const seed = integer('--seed', values.seed, 1, -2_147_483_648, 4_294_967_295);
  const region = values.region ?? DEFAULT_REGION;
  if (!ALIBABA_REGIONS.includes(region)) throw new CliUsageError(`--region must be an Alibaba Cloud region such as ${DEFAULT_REGION}, got '${region}'`);
  const emulator: AlibabaEmulatorOptions = {
    accessKeys: [],
    port: integer('--port', values.port, 0, 0, 65_535),
    host: values.host ?? '127.0.0.1',
    clock: new SystemClock(),
    clockOffsetMs: number('--clock-offset', values['clock-offset'], 0, -MAX_SECONDS, MAX_SECONDS) * 1000,
    retentionDays: number('--retention-days', values['retention-days'], 30, 0.001, 3650),
    recordCap: integer('--record-cap', values['record-cap'], 1000, 1, 1_000_000),
    order: orderOf(values.order),
    orderSeed: seed,
  };
  if (values['token-ttl'] !== undefined) emulator.nextTokenTtlMs = number('--token-ttl', values['token-ttl'], 0, 0.001, MAX_SECONDS) * 1000;
  const faults = {
    seed,
    throttleRate: number('--throttle-rate', values['throttle-rate'], 0, 0, 1),
    errorRate: number('--error-rate', values['error-rate'], 0, 0, 1),
    dropRate: number('--drop-rate', values['drop-rate'], 0, 0, 1),
    latencyRate: number('--latency-rate', values['latency-rate'], 0, 0, 1),
    latencyMs: number('--latency-ms', values['latency-ms'], 100, 0, 600_000),
  };
  if (faults.throttleRate + faults.errorRate + faults.dropRate > 1) throw new CliUsageError('--throttle-rate + --error-rate + --drop-rate must not exceed 1');
  if (faults.throttleRate + faults.errorRate + faults.dropRate + faults.latencyRate > 0) emulator.faults = faults;
  if (!accessKeyId) throw new CliUsageError('--access-key-id (or ALIBABA_CLOUD_ACCESS_KEY_ID) is required: the key pair requests must be signed with');
  if (!accessKeySecret) throw new CliUsageError('--access-key-secret (or ALIBABA_CLOUD_ACCESS_KEY_SECRET) is required');
  emulator.accessKeys = [{ accessKeyId, accessKeySecret }];
  return { emulator, sessions: integer('--sessions', values.sessions, 1000, 0, 5_000_000), seed, region };
}

/** `--clock-offset -90` → `--clock-offset=-90`: parseArgs would read -90 as an option. */
function joinNegativeValues(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    const next = argv[index + 1];
    if (arg.startsWith('--') && !arg.includes('=') && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      index += 1;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/** A year: far more than any setting worth testing. */
const MAX_SECONDS = 365 * 86_400;

function orderOf(text: string | undefined): ResultOrder {
  if (text === undefined) return 'newest';
  const found = RESULT_ORDERS.find((order) => order === text);
  if (found === undefined) throw new CliUsageError(`--order must be ${RESULT_ORDERS.join(', ')}, got '${text}'`);
  return found;
}

function integer(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) throw new CliUsageError(`${flag} must be a whole number from ${min} to ${max}, got '${text}'`);
  return value;
}

function number(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^-?\d+(\.\d+)?$/.test(text.trim()) || value < min || value > max) throw new CliUsageError(`${flag} must be a number from ${min} to ${max}, got '${text}'`);
  return value;
}
