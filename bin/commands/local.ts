/**
 * `session-archive local` (`npm start`): the whole archive on this machine until Ctrl-C / SIGTERM.
 * The embedded store keeps its data in --data-dir, so a restart continues where it stopped.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { nonLoopbackWarning } from '../../local/host-check';
import { ALIBABA_REGION_PATTERN } from '../../lambdas/core/targets/alibaba-targets';
import { DEFAULT_ALIBABA_REGIONS, DEFAULT_ALIBABA_SESSIONS } from '../../local/local-alibaba';
import { LocalStackStartError, startLocalStack, type LocalStack } from '../../local/local-stack';
import { CliFailureError, CliUsageError, positiveInteger, runCli } from './cli-support';
import { forStream } from './terminal-text';

export const DEFAULT_SESSIONS = 5000;
export const DEFAULT_INTERVAL_SECONDS = 30;
export const DEFAULT_API_PORT = 3000;

export const LOCAL_USAGE = `Usage: session-archive local [options]

Runs Session Archive on this machine until Ctrl-C / SIGTERM: an embedded DynamoDB-compatible
store persisted in --data-dir, an SSM Session Manager emulator with realistic sessions that keep
arriving and ending (or a real SSM), the sweeper every --interval seconds, and the query API.
A restart on the same --data-dir keeps everything archived so far.

Options:
  --api-port <p>          port of the query API (default ${DEFAULT_API_PORT}; 0 picks a free one)
  --host <address>        address the query API binds (default 127.0.0.1). The API has no
                          authentication: any other address warns, and opens the archive to whoever
                          can reach it. It answers only requests addressed to a loopback name or an
                          IP address, never to a DNS name (no DNS rebinding from a web page)
  --ssm-port <p>          port of the embedded SSM emulator (default 0: a free one; printed)
  --interval <seconds>    time between sweep starts (default ${DEFAULT_INTERVAL_SECONDS})
  --sessions <n>          emulated sessions per 30 days (default ${DEFAULT_SESSIONS})
  --seed <s>              seed of the emulated sessions; the same seed gives the same sessions (default 1)
  --data-dir <dir>        where the archive is kept (default ./.session-archive; created mode 0700)
  --table <name>          archive table name (default session-archive)
  --ssm-endpoint <url>    sweep this SSM endpoint instead of the embedded emulator
  --region <r>            sweep real AWS SSM in this region with the default credential chain
                          (AWS_PROFILE, SSO, environment, instance role); with --ssm-endpoint,
                          the region to sign for (default us-east-1)
  --account-id <id>       account the swept sessions belong to (default: from STS for real AWS,
                          123456789012 for the emulator, 000000000000 for --ssm-endpoint)
  --accounts <n>          a whole emulated organisation: n member accounts besides the hub, each
                          with its own sessions, swept through the same planner, STS AssumeRole and
                          per-target sweep as a deployment (STS and Organizations emulated too)
  --regions <r1,r2,...>   with --accounts: the regions of every account (default us-east-1)
  --concurrency <n>       with --accounts: targets swept at once (default 4)
  --alibaba               also an Alibaba Cloud ECS emulator and its targets (alibaba#local#<region>),
                          sessions arriving and ending, swept beside SSM
  --alibaba-regions <r,…> with --alibaba: its regions (default cn-hangzhou,ap-southeast-1)
  --help                  show this help

Examples:
  npm start
  npx session-archive local --api-port 3001 --sessions 20000 --interval 10
  npm start -- --accounts 3 --regions us-east-1,eu-west-1
  npm start -- --alibaba
  AWS_PROFILE=audit npx session-archive local --region eu-west-1 --data-dir ./archive-eu-west-1
`;

export interface LocalCommandOptions {
  apiPort: number;
  host: string;
  ssmPort: number;
  intervalSeconds: number;
  sessions: number;
  seed: number;
  dataDir: string;
  table: string;
  ssmEndpoint?: string;
  region?: string;
  accountId?: string;
  organization?: { accounts: number; regions: string[]; concurrency: number };
  alibaba?: { regions: string[]; sessions: number };
}

// The SDK's notice that its future releases need Node 22 would open every start; Node 20 is supported here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export async function runLocalCommand(argv: string[]): Promise<void> {
  await runCli('local', LOCAL_USAGE, async () => {
    const options = parseLocalArgs(argv);
    if (options === 'help') return LOCAL_USAGE;
    // Lines can quote archived data (a finding's message): escaped on a terminal.
    const shown = forStream(process.stdout);
    const print = (line: string): void => {
      process.stdout.write(`${shown(line)}\n`);
    };
    const warning = nonLoopbackWarning(options.host);
    if (warning !== undefined) process.stderr.write(`${warning}\n`);
    const stack = await startLocalStack({
      dataDir: options.dataDir,
      apiPort: options.apiPort,
      apiHost: options.host,
      ssmPort: options.ssmPort,
      sweepIntervalMs: options.intervalSeconds * 1000,
      sessions: options.sessions,
      seed: options.seed,
      ssmEndpoint: options.ssmEndpoint,
      region: options.region,
      accountId: options.accountId,
      ...(options.organization === undefined ? {} : { organization: options.organization }),
      ...(options.alibaba === undefined ? {} : { alibaba: options.alibaba }),
      tableName: options.table,
      print,
    }).catch((error: unknown) => {
      throw error instanceof LocalStackStartError ? new CliFailureError(error.message) : error;
    });
    print(describeStack(stack, options));
    await waitForStopSignal(print);
    print('stopping: letting a sweep in flight save its checkpoint, closing the archive');
    await stack.close();
    print('stopped; the archive is kept in ' + displayPath(stack.storePath));
  });
}

/** Parses and checks the flags; 'help' when --help was given. */
export function parseLocalArgs(argv: readonly string[]): LocalCommandOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'api-port': { type: 'string' },
      host: { type: 'string' },
      'ssm-port': { type: 'string' },
      interval: { type: 'string' },
      sessions: { type: 'string' },
      seed: { type: 'string' },
      'data-dir': { type: 'string' },
      table: { type: 'string' },
      'ssm-endpoint': { type: 'string' },
      region: { type: 'string' },
      'account-id': { type: 'string' },
      accounts: { type: 'string' },
      regions: { type: 'string' },
      concurrency: { type: 'string' },
      alibaba: { type: 'boolean' },
      'alibaba-regions': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const options: LocalCommandOptions = {
    apiPort: values['api-port'] === undefined ? DEFAULT_API_PORT : port('--api-port', values['api-port']),
    host: values.host === undefined ? '127.0.0.1' : nonEmpty('--host', values.host),
    ssmPort: values['ssm-port'] === undefined ? 0 : port('--ssm-port', values['ssm-port']),
    intervalSeconds: values.interval === undefined ? DEFAULT_INTERVAL_SECONDS : positiveInteger('--interval', values.interval),
    sessions: values.sessions === undefined ? DEFAULT_SESSIONS : wholeNumber('--sessions', values.sessions, 1_000_000),
    seed: values.seed === undefined ? 1 : wholeNumber('--seed', values.seed, 4_294_967_295),
    dataDir: nonEmpty('--data-dir', values['data-dir'] ?? '.session-archive'),
    table: values.table ?? 'session-archive',
  };
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(options.table)) throw new CliUsageError(`--table must be 3-255 letters, digits, '_', '-' or '.', got '${options.table}'`);
  if (values['ssm-endpoint'] !== undefined) {
    if (!/^https?:\/\/\S+$/.test(values['ssm-endpoint'])) throw new CliUsageError(`--ssm-endpoint must be an http(s) URL, got '${values['ssm-endpoint']}'`);
    options.ssmEndpoint = values['ssm-endpoint'];
    if (values['ssm-port'] !== undefined || values.sessions !== undefined || values.seed !== undefined) {
      throw new CliUsageError('--ssm-port, --sessions and --seed configure the embedded emulator; they cannot be combined with --ssm-endpoint');
    }
  }
  if (values.region !== undefined) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(values.region)) throw new CliUsageError(`--region must be an AWS region such as us-east-1, got '${values.region}'`);
    options.region = values.region;
    if (options.ssmEndpoint === undefined && (values['ssm-port'] !== undefined || values.sessions !== undefined || values.seed !== undefined)) {
      throw new CliUsageError('--ssm-port, --sessions and --seed configure the embedded emulator; with --region the sweeper reads real AWS SSM');
    }
  }
  if (values['account-id'] !== undefined) {
    if (!/^\d{12}$/.test(values['account-id'])) throw new CliUsageError(`--account-id must be 12 digits, got '${values['account-id']}'`);
    options.accountId = values['account-id'];
  }
  const organization = parseOrganizationFlags(values);
  if (organization !== undefined) {
    if (options.ssmEndpoint !== undefined || options.region !== undefined || options.accountId !== undefined) {
      throw new CliUsageError('--accounts emulates a whole organisation; it cannot be combined with --ssm-endpoint, --region or --account-id');
    }
    options.organization = organization;
  }
  const alibaba = parseAlibabaFlags(values);
  if (alibaba !== undefined) options.alibaba = alibaba;
  return options;
}

function parseAlibabaFlags(values: { alibaba?: boolean; 'alibaba-regions'?: string }): LocalCommandOptions['alibaba'] {
  if (!values.alibaba) {
    if (values['alibaba-regions'] !== undefined) throw new CliUsageError('--alibaba-regions goes with --alibaba');
    return undefined;
  }
  const regions = values['alibaba-regions'] === undefined ? DEFAULT_ALIBABA_REGIONS : values['alibaba-regions'].split(',').map((region) => region.trim());
  for (const region of regions) if (!ALIBABA_REGION_PATTERN.test(region)) throw new CliUsageError(`--alibaba-regions must list Alibaba Cloud regions such as cn-hangzhou,ap-southeast-1, got '${region}'`);
  if (new Set(regions).size !== regions.length) throw new CliUsageError(`--alibaba-regions lists a region twice: '${values['alibaba-regions']}'`);
  return { regions, sessions: DEFAULT_ALIBABA_SESSIONS };
}

function parseOrganizationFlags(values: { accounts?: string; regions?: string; concurrency?: string }): LocalCommandOptions['organization'] {
  if (values.accounts === undefined) {
    if (values.regions !== undefined || values.concurrency !== undefined) throw new CliUsageError('--regions and --concurrency go with --accounts');
    return undefined;
  }
  const regions = (values.regions ?? 'us-east-1').split(',').map((region) => region.trim());
  for (const region of regions) if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new CliUsageError(`--regions must list AWS regions such as us-east-1,eu-west-1, got '${region}'`);
  if (new Set(regions).size !== regions.length) throw new CliUsageError(`--regions lists a region twice: '${values.regions}'`);
  return {
    accounts: wholeNumber('--accounts', values.accounts, 500),
    regions,
    concurrency: values.concurrency === undefined ? 4 : positiveInteger('--concurrency', values.concurrency),
  };
}

/** What runs where, and a query to paste. */
export function describeStack(stack: LocalStack, options: LocalCommandOptions): string {
  const source =
    stack.ssmKind === 'emulator'
      ? `emulator at ${stack.ssmEndpoint}: ${options.sessions} sessions per 30 days (seed ${options.seed}), new ones arriving and ending on the real clock`
      : stack.ssmKind === 'organization'
        ? `an emulated organisation (${options.organization?.accounts ?? 0} member accounts + the hub, ${options.organization?.regions.join(', ')}), SSM at ${stack.ssmEndpoint}, ${options.sessions} sessions per 30 days in each`
        : stack.ssmKind === 'endpoint'
        ? `${stack.ssmEndpoint}`
        : `AWS Systems Manager in ${stack.scope.region}, default credential chain`;
  const apiFlag = stack.apiUrl === `http://127.0.0.1:${DEFAULT_API_PORT}` ? '' : ` --api ${stack.apiUrl}`;
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  return [
    'Session Archive is running on this machine',
    `  archive      dynalite at ${stack.storeEndpoint}, table ${stack.tableName}, data in ${displayPath(stack.storePath)}`,
    `  SSM source   ${source}`,
    `  sweeper      every ${options.intervalSeconds} s, account ${stack.scope.accountId}, region ${stack.scope.region}`,
    `  evidence     signed objects in ${displayPath(stack.evidenceDir)} (key ${stack.evidenceKeyId})`,
    ...(stack.alibaba ? [`  Alibaba      emulator at ${stack.alibaba.endpoint}, targets ${stack.alibaba.targets.join(', ')} (query with --source alibaba)`] : []),
    `  query API    ${stack.apiUrl}`,
    `  console      ${stack.apiUrl}/ (open it in a browser)`,
    'Try (the first sweep is running now):',
    `  npx session-archive query${apiFlag} --from ${weekAgo} --limit 10`,
    `  npx session-archive export${apiFlag} --format csv --out sessions.csv`,
    `  curl '${stack.apiUrl}/sessions?limit=5'`,
    'Stop with Ctrl-C; the archive stays in the data folder for the next start.',
  ].join('\n');
}

/**
 * Resolves on the first SIGINT/SIGTERM. Wrappers (npm, tsx) may pass one Ctrl-C on twice, so a
 * second signal only explains the wait; a third stops at once.
 */
function waitForStopSignal(print: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals === 1) {
        print(`${signal} received`);
        resolve();
      } else if (signals === 2) {
        print('still stopping: a sweep in flight is saving its checkpoint (send the signal again to stop at once)');
      } else {
        // LevelDB's log makes an abrupt stop safe; the sweep resumes from its last checkpoint.
        print('stopping at once; the next start resumes from the last checkpoint');
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere === '' || fromHere.startsWith('..') ? path : `./${fromHere}`;
}

function port(flag: string, raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new CliUsageError(`${flag} must be a port from 0 to 65535, got '${raw}'`);
  return Number(raw);
}

function wholeNumber(flag: string, raw: string, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) > max) throw new CliUsageError(`${flag} must be a whole number from 0 to ${max}, got '${raw}'`);
  return Number(raw);
}

function nonEmpty(flag: string, raw: string): string {
  if (raw.trim() === '') throw new CliUsageError(`${flag} must not be empty`);
  return raw;
}
