/**
 * The whole archive on one machine, in one process: dynalite persisted under a data folder, an SSM
 * source (the embedded emulator, another endpoint, or real AWS), the sweeper on an interval, and
 * the query API over node:http. `session-archive local` (`npm start`) is a thin shell around this.
 */
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createSsmClient } from '../lambdas/adapters/aws/clients';
import { DynamoArchiveStore } from '../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { DynamoEvidenceLedger } from '../lambdas/adapters/dynamodb/dynamodb-evidence-ledger';
import { FolderEvidenceStore } from '../lambdas/adapters/local/folder-evidence-store';
import { KeyFileSigner } from '../lambdas/adapters/local/key-file-signer';
import { withEvidence } from '../lambdas/core/evidence/with-evidence';
import { EvidenceWriter } from '../lambdas/core/evidence/writer';
import { ensureArchiveTable } from '../lambdas/adapters/dynamodb/ensure-table';
import { migrateAddStartDay } from '../lambdas/adapters/dynamodb/dynamodb-add-start-day';
import { SsmSessionSource } from '../lambdas/adapters/aws/ssm-session-source';
import { systemClock, type CoreLogger } from '../lambdas/core/sweep/ports';
import type { SourceScope } from '../lambdas/core/session/session';
import { sweep, type SweepSummary } from '../lambdas/core/sweep/sweep';
import { startApiService } from './api-service';
import type { EventSink } from '../lambdas/core/events/ports';
import { startEmbeddedStore } from './embedded-store';
import { assertTableSupportsEvents, readComplianceRulesFromCdkJson, wireLocalEvents } from './in-process-bus';
import { startLocalAlibaba, type LocalAlibaba } from './local-alibaba';
import { startLocalOrganization, type LocalOrganization } from './local-organization';
import { GeneratedSessionFeed } from './session-feed';
import { EMULATED_ACCOUNT_ID, SystemClock, startSsmEmulator } from './ssm-emulator';

export { GeneratedSessionFeed } from './session-feed';

export interface LocalStackOptions {
  /** Holds the archive (LevelDB under `dynamodb/`) and a lock file; created when missing, mode 0700. */
  dataDir: string;
  /** 0 picks a free port. */
  apiPort: number;
  /** Address the query API binds; default 127.0.0.1. The CLI warns about any non-loopback one. */
  apiHost?: string;
  /** Port of the embedded SSM emulator; 0 picks a free port. */
  ssmPort: number;
  sweepIntervalMs: number;
  /** Generated sessions per 30 days in the embedded emulator. */
  sessions: number;
  /** Seeds the emulator's sessions: the same seed gives the same sessions on every start. */
  seed: number;
  /** Another SSM endpoint (e.g. an emulator elsewhere) instead of the embedded one. */
  ssmEndpoint?: string;
  /** Region of the SSM source. With neither this nor ssmEndpoint, the embedded emulator runs. */
  region?: string;
  /** Account the sessions belong to; default from STS for real AWS. */
  accountId?: string;
  tableName: string;
  /**
   * A whole emulated organisation instead of one account: this many member accounts besides the
   * hub, each in every one of `regions`, swept through the planner, AssumeRole and the fan-out.
   */
  organization?: { accounts: number; regions: string[]; concurrency: number };
  /** Also an Alibaba Cloud emulator, its sessions and one target per region (`alibaba#local#<region>`). */
  alibaba?: { regions: string[]; sessions: number };
  /** Where the stack reports what it does, one line at a time (without the newline). */
  print: (line: string) => void;
}

export type SsmSourceKind = 'emulator' | 'endpoint' | 'aws' | 'organization';

export interface LocalStack {
  readonly apiUrl: string;
  /** Where the signed evidence objects go (`<data-dir>/evidence`), and the id of the key that signs them. */
  readonly evidenceDir: string;
  readonly evidenceKeyId: string;
  readonly storeEndpoint: string;
  readonly storePath: string;
  readonly ssmKind: SsmSourceKind;
  /** The emulator's or the given endpoint; `aws` for real AWS. */
  readonly ssmEndpoint: string;
  readonly scope: SourceScope;
  readonly tableName: string;
  /** The Alibaba emulator and its targets, with --alibaba. */
  readonly alibaba?: { endpoint: string; targets: string[] };
  /** Stops the sweeper (letting an in-flight sweep checkpoint first), the API, the emulator and the store. */
  close(): Promise<void>;
}

/** Raised for a start-up problem the user can fix (port taken, data folder in use, no credentials). */
export class LocalStackStartError extends Error {
  override readonly name = 'LocalStackStartError';
}

/** Account id used with a non-AWS SSM endpoint when none is given (as `session-archive sweep` does). */
const ENDPOINT_ACCOUNT_ID = '000000000000';
const DEFAULT_REGION = 'us-east-1';

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  const storePath = join(dataDir, 'dynamodb');
  createPrivateFolder(dataDir, options.print);
  createPrivateFolder(storePath);
  const releaseLock = lockDataDir(dataDir);
  // Everything started so far, stopped in reverse order: on close, or when a later step fails.
  const started: Array<() => Promise<void>> = [async () => releaseLock()];
  let stopping: Promise<unknown[]> | undefined;
  const unwind = (): Promise<unknown[]> =>
    (stopping ??= (async () => {
      const failures: unknown[] = [];
      for (const stop of [...started].reverse()) await stop().catch((error: unknown) => failures.push(error));
      return failures;
    })());

  try {
    const region = options.region ?? DEFAULT_REGION;
    const store = await startEmbeddedStore({ path: storePath });
    started.push(() => store.close());
    const documents = createDocumentClient({ region, endpoint: store.endpoint });
    started.push(async () => documents.destroy());
    await ensureTable(documents, options.tableName, storePath);
    // An archive kept by an earlier release gets `startDay` on every session before queries use days.
    for (let run = await migrateAddStartDay(documents, options.tableName); !run.complete; run = await migrateAddStartDay(documents, options.tableName)) {
      // dynalite adds indexes only when it creates a table: an older folder never gets this one.
      if (run.waitingForIndex) throw new LocalStackStartError(`${storePath} was made by an earlier release and lacks the byStartDay index; move it aside (the archive starts over from what SSM still holds)`);
      options.print(`migrating the archive: startDay added to ${run.itemsUpdated} sessions`);
    }
    await assertTableSupportsEvents(documents, options.tableName).catch((error: unknown) => {
      throw new LocalStackStartError(`${storePath}: ${error instanceof Error ? error.message : String(error)}`);
    });
    const evidenceDir = join(dataDir, 'evidence');
    const evidence = openLocalEvidence(dataDir, evidenceDir, documents, options.tableName);

    let kind: SsmSourceKind;
    let ssmEndpoint: string;
    let accountId: string;
    let feed: GeneratedSessionFeed | undefined;
    let organization: LocalOrganization | undefined;
    if (options.organization !== undefined) {
      kind = 'organization';
      organization = await startLocalOrganization({ ...options.organization, sessions: options.sessions, seed: options.seed });
      started.push(() => organization?.close() ?? Promise.resolve());
      ssmEndpoint = organization.endpoints.ssm;
      accountId = organization.hubAccountId;
      options.print(`organisation: ${options.organization.accounts} member accounts + the hub (${accountId}) x ${options.organization.regions.join(', ')}; STS ${organization.endpoints.sts}, Organizations ${organization.endpoints.organizations}, SSM ${ssmEndpoint}`);
    } else if (options.ssmEndpoint !== undefined) {
      kind = 'endpoint';
      ssmEndpoint = options.ssmEndpoint;
      accountId = options.accountId ?? ENDPOINT_ACCOUNT_ID;
    } else if (options.region !== undefined) {
      kind = 'aws';
      ssmEndpoint = 'aws';
      accountId = options.accountId ?? (await callerAccount(options.region));
    } else {
      kind = 'emulator';
      const emulator = await listen('--ssm-port', options.ssmPort, () => startSsmEmulator({ port: options.ssmPort, clock: new SystemClock() }));
      started.push(() => emulator.close());
      ssmEndpoint = emulator.endpoint;
      accountId = options.accountId ?? EMULATED_ACCOUNT_ID;
      feed = new GeneratedSessionFeed(emulator, options.sessions, options.seed);
      feed.fillUntil(Date.now());
    }

    const ssm = createSsmClient({ region, endpoint: kind === 'aws' ? undefined : ssmEndpoint });
    started.push(async () => ssm.destroy());
    const source = new SsmSessionSource({ client: ssm, accountId, region });
    // Events go to an in-process bus; the compliance checks (cdk.json rules) write findings.
    const events = wireLocalEvents({ documents, tableName: options.tableName, rules: readComplianceRulesFromCdkJson(), accountId, region, print: options.print });
    started.push(() => events.settled());

    let alibaba: LocalAlibaba | undefined;
    if (options.alibaba !== undefined) {
      alibaba = await startLocalAlibaba({ ...options.alibaba, seed: options.seed });
      started.push(() => alibaba?.close() ?? Promise.resolve());
      alibaba.fillUntil(Date.now());
      options.print(`alibaba: emulator ${alibaba.endpoint}; targets ${alibaba.targets.join(', ')}`);
    }

    const api = await listen('--api-port', options.apiPort, () =>
      startApiService({ table: options.tableName, dynamodbEndpoint: store.endpoint, port: options.apiPort, host: options.apiHost ?? '127.0.0.1', region }),
    );
    started.push(() => api.close());

    const sweeper = new IntervalSweeper({
      intervalMs: options.sweepIntervalMs,
      print: options.print,
      beforeSweep: () => {
        (organization ?? feed)?.fillUntil(Date.now());
        alibaba?.fillUntil(Date.now());
      },
      runSweep: async (shouldStop) => {
        const aws = organization
          ? await organization.sweepAll(new DynamoArchiveStore({ client: documents, tableName: options.tableName }), events.sink, shouldStop, sweepLogger(options.print), evidence)
          : describeSweep(await runOneSweep(source, documents, options.tableName, events.sink, evidence, shouldStop, options.print));
        if (!alibaba) return aws;
        const lines = await alibaba.sweepAll(new DynamoArchiveStore({ client: documents, tableName: options.tableName }), events.sink, shouldStop, sweepLogger(options.print), evidence);
        return [aws, ...lines].join('; ');
      },
    });
    sweeper.start();
    started.push(() => sweeper.stop());

    return {
      apiUrl: api.url,
      evidenceDir,
      evidenceKeyId: evidence.options.signer.keyId,
      storeEndpoint: store.endpoint,
      storePath,
      ssmKind: kind,
      ssmEndpoint,
      scope: source.scope,
      tableName: options.tableName,
      ...(alibaba ? { alibaba: { endpoint: alibaba.endpoint, targets: alibaba.targets } } : {}),
      close: async () => {
        const [failure] = await unwind();
        if (failure !== undefined) throw failure;
      },
    };
  } catch (error: unknown) {
    await unwind();
    throw error;
  }
}

/** One sweep into the table; `shouldStop` ends it early (checkpointed) when the stack shuts down. */
async function runOneSweep(
  source: SsmSessionSource,
  documents: DynamoDBDocumentClient,
  tableName: string,
  events: EventSink,
  evidence: EvidenceWriter,
  shouldStop: () => boolean,
  print: (line: string) => void,
): Promise<SweepSummary> {
  const logger = sweepLogger(print);
  const store = new DynamoArchiveStore({ client: documents, tableName });
  return withEvidence(evidence, { scope: source.scope, store, clock: systemClock, logger }, (under) =>
    sweep(
      { source, store: under.store, clock: systemClock, logger, events, ...(under.evidence ? { evidence: under.evidence } : {}) },
      // No deadline locally, except when asked to stop: then the sweep ends before its next page.
      { remainingTimeMs: () => (shouldStop() ? 0 : Number.POSITIVE_INFINITY) },
    ),
  );
}

/**
 * Evidence on this machine: signed with `<data-dir>/evidence-key.pem` (created on first start),
 * kept in `<data-dir>/evidence/`, chained through heads in the archive table.
 */
function openLocalEvidence(dataDir: string, evidenceDir: string, documents: DynamoDBDocumentClient, tableName: string): EvidenceWriter {
  createPrivateFolder(evidenceDir);
  let signer: KeyFileSigner;
  try {
    signer = KeyFileSigner.open(join(dataDir, 'evidence-key.pem'));
  } catch (error: unknown) {
    throw new LocalStackStartError(`cannot open the evidence key: ${error instanceof Error ? error.message : String(error)}`);
  }
  return new EvidenceWriter({ signer, store: new FolderEvidenceStore(evidenceDir), prefix: '', ledger: new DynamoEvidenceLedger(documents, tableName) });
}

function sweepLogger(print: (line: string) => void): CoreLogger {
  return { info: () => undefined, warn: (message, fields) => print(`sweep warning: ${message}${fields?.target ? ` (${String(fields.target)})` : ''}`) };
}

export interface IntervalSweeperOptions {
  intervalMs: number;
  /** Runs one sweep (of every target, in an organisation) and returns the line that describes it. */
  runSweep: (shouldStop: () => boolean) => Promise<string>;
  beforeSweep?: () => void;
  print: (line: string) => void;
}

/**
 * Runs a sweep now and then one every interval, never two at once: the next one starts an
 * interval after the previous one started, or at once when that one overran. A failed sweep is
 * reported and the next interval tries again.
 */
export class IntervalSweeper {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopping = false;
  private count = 0;

  constructor(private readonly options: IntervalSweeperOptions) {}

  start(): void {
    this.schedule(0);
  }

  /** Waits for a sweep in flight; it stops before its next page and saves its checkpoint. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.runOnce().finally(() => {
        this.inFlight = undefined;
      });
    }, delayMs);
  }

  private async runOnce(): Promise<void> {
    const startedAt = Date.now();
    const number = ++this.count;
    try {
      this.options.beforeSweep?.();
      this.options.print(`sweep ${number} ${await this.options.runSweep(() => this.stopping)}`);
    } catch (error: unknown) {
      this.options.print(`sweep ${number} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}; next try in ${formatSeconds(this.options.intervalMs)}`);
    }
    this.schedule(Math.max(0, startedAt + this.options.intervalMs - Date.now()));
  }
}

/** The one-line summary printed after each sweep (after "sweep N "). */
export function describeSweep(summary: SweepSummary): string {
  const parts = [
    `${summary.sessionsSeen} seen`,
    `${summary.written} written`,
    `${summary.unchanged} unchanged`,
    `${summary.openSessions} open`,
    `${summary.sourceCalls} SSM calls`,
    `watermark ${summary.watermark ?? 'none'}`,
  ];
  if (summary.gaps.length > 0) parts.push(`${summary.gaps.length} GAP${summary.gaps.length > 1 ? 'S' : ''} ${summary.gaps.map((gap) => `${gap.from}..${gap.to}`).join(', ')}`);
  if (summary.unresolvedOpen > 0) parts.push(`${summary.unresolvedOpen} ended unobserved`);
  const state = summary.complete ? 'complete' : 'stopped early (the next sweep continues)';
  return `${state} in ${formatSeconds(summary.durationMs)}: ${parts.join(', ')}`;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Turns "port in use" into a message that names the flag to change. */
async function listen<T>(flag: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error: unknown) {
    if (errorCode(error) === 'EADDRINUSE') throw new LocalStackStartError(`port ${port} is already in use; choose another with ${flag} (0 picks a free one)`);
    if (errorCode(error) === 'EACCES') throw new LocalStackStartError(`not allowed to listen on port ${port}; choose another with ${flag}`);
    throw error;
  }
}

async function ensureTable(documents: DynamoDBDocumentClient, tableName: string, storePath: string): Promise<void> {
  try {
    await ensureArchiveTable(documents, tableName);
  } catch (error: unknown) {
    throw new LocalStackStartError(`cannot open the archive in ${storePath}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function callerAccount(region: string): Promise<string> {
  const sts = new STSClient({ region });
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new LocalStackStartError('STS returned no account id; pass --account-id');
    return identity.Account;
  } catch (error: unknown) {
    if (error instanceof LocalStackStartError) throw error;
    const name = error instanceof Error ? error.name : '';
    if (name === 'CredentialsProviderError') {
      throw new LocalStackStartError(`no AWS credentials found for region ${region}: configure a profile (AWS_PROFILE, aws sso login) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`);
    }
    throw new LocalStackStartError(`cannot identify the AWS account through STS in ${region}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    sts.destroy();
  }
}

/**
 * The archive holds every session's owner, target and reason: its folders are created for their
 * owner only (0700, whatever the umask). A folder that exists already is left as it is, with a
 * warning when others can read it.
 */
function createPrivateFolder(path: string, print?: (line: string) => void): void {
  const created = mkdirSync(path, { recursive: true, mode: 0o700 });
  if (created !== undefined) {
    // mkdir's mode is filtered by the umask, and recursive creation applies it to every new parent.
    let folder = path;
    for (;;) {
      chmodSync(folder, 0o700);
      if (folder === created || folder === dirname(folder)) break;
      folder = dirname(folder);
    }
    return;
  }
  if (print && (statSync(path).mode & 0o077) !== 0) print(`warning: ${path} is readable by other users of this machine; the archive in it is not private (chmod 700 it)`);
}

/**
 * One stack per data folder: LevelDB allows a single process, and two sweepers on one archive
 * would only contend. A lock file holds the owner's pid; a lock left by a dead process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, 'local.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error: unknown) {
      if (errorCode(error) !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new LocalStackStartError(`${dataDir} is in use by another session-archive (pid ${owner}); stop it or choose another --data-dir`);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new LocalStackStartError(`cannot lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(error) === 'EPERM';
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
