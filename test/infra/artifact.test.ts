/**
 * The deployable artifact, end to end: `npx cdk synth` runs as a user would run it, offline and
 * without AWS credentials; then the sweeper, compliance and query bundles are taken out of that
 * cdk.out (found through the template's asset metadata) and each runs in a fresh `node` process,
 * with the environment the template gives it, against the SSM emulator, dynalite and the
 * in-process event bus behind its PutEvents endpoint.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { DETAIL_TYPE } from '../../lambdas/core/events/event-types';
import { METRICS_NAMESPACE, SWEEP_METRIC } from '../../lambdas/sweeper/metrics';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { InProcessEventBus, startEventBridgeEndpoint, type BusEnvelope, type EventBridgeEndpoint } from '../../local/in-process-bus';
import { EMULATED_ACCOUNT_ID, startSsmEmulator, type SsmEmulator } from '../../local/ssm-emulator';
import { PROJECT_ROOT } from './stack-fixture';

const REGION = 'us-east-1';
const HOUR_MS = 3_600_000;
const STACK = 'SessionArchive';

interface FunctionAsset {
  bundle: string;
  environment: Record<string, unknown>;
  timeoutSeconds: number;
}

interface Invocation {
  results: unknown[];
  /** Every JSON line the process printed: Powertools logs and EMF metric blobs. */
  stdoutJson: Record<string, unknown>[];
}

/** Runs `npx cdk synth` with no credentials of any kind and no CDK default environment. */
function synthOffline(outdir: string): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('CDK_DEFAULT_')) env[key] = value;
  }
  const nowhere = path.join(outdir, 'no-such-file');
  Object.assign(env, {
    AWS_CONFIG_FILE: nowhere,
    AWS_SHARED_CREDENTIALS_FILE: nowhere,
    // Offline: no instance-metadata probing for credentials, no telemetry, no version check.
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
  });
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['cdk', 'synth', '--quiet', '--no-notices', '-o', outdir],
      { cwd: PROJECT_ROOT, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** The bundle, environment and timeout of the function at `constructPath`, read from cdk.out. */
function functionAsset(outdir: string, constructPath: string): FunctionAsset {
  const template = JSON.parse(fs.readFileSync(path.join(outdir, `${STACK}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, unknown>; Properties: Record<string, unknown> }>;
  };
  const matches = Object.values(template.Resources).filter(
    (resource) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.['aws:cdk:path'] === `${constructPath}/Resource`,
  );
  expect(matches).toHaveLength(1);
  const fn = matches[0] as (typeof matches)[number];
  const assetDir = path.join(outdir, String(fn.Metadata?.['aws:asset:path']));
  const handler = String(fn.Properties.Handler);
  expect(handler).toBe('index.handler');
  return {
    bundle: path.join(assetDir, 'index.mjs'),
    environment: (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    timeoutSeconds: Number(fn.Properties.Timeout),
  };
}

/**
 * The function's environment as the template sets it, with CloudFormation references replaced by
 * their local values. A reference without a local value fails the test: the bundle must not need
 * anything the deployment does not give it.
 */
function resolveEnvironment(variables: Record<string, unknown>, local: Record<string, string>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string') resolved[name] = value;
    else if (local[name] !== undefined) resolved[name] = local[name];
    else throw new Error(`${name} is a CloudFormation reference (${JSON.stringify(value)}) with no local value`);
  }
  return resolved;
}

/** Imports the bundle in a new Node process and invokes its handler once per event, in order. */
async function invokeInFreshNode(asset: FunctionAsset, functionName: string, env: Record<string, string>, events: unknown[], workdir: string): Promise<Invocation> {
  const runner = path.join(workdir, 'invoke.mjs');
  const eventsFile = path.join(workdir, `${functionName}-events.json`);
  const resultsFile = path.join(workdir, `${functionName}-results.json`);
  fs.writeFileSync(eventsFile, JSON.stringify(events));
  fs.writeFileSync(
    runner,
    `import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventsFile, resultsFile, functionName, timeoutSeconds] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const results = [];
for (const event of JSON.parse(readFileSync(eventsFile, 'utf8'))) {
  const deadline = Date.now() + Number(timeoutSeconds) * 1000;
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:' + process.env.AWS_REGION + ':${EMULATED_ACCOUNT_ID}:function:' + functionName,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/' + functionName,
    logStreamName: 'artifact-test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done() {}, fail() {}, succeed() {},
  };
  results.push(await handler(event, context));
}
writeFileSync(resultsFile, JSON.stringify(results));
process.exit(0);
`,
  );
  const child = spawn(process.execPath, [runner, asset.bundle, eventsFile, resultsFile, functionName, String(asset.timeoutSeconds)], {
    cwd: workdir,
    // Only what the template sets, plus what Lambda itself provides (region, credentials).
    env: { PATH: process.env.PATH ?? '', HOME: workdir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${functionName} exited with ${code}:\n${stderr}\n${stdout}`);
  const stdoutJson = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { results: JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as unknown[], stdoutJson };
}

function getSessionsEvent(query: Record<string, string>, sessionId?: string, collection = '/sessions'): Record<string, unknown> {
  const resourcePath = sessionId === undefined ? collection : '/sessions/{sessionId}';
  const requestPath = sessionId === undefined ? collection : `/sessions/${encodeURIComponent(sessionId)}`;
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: resourcePath,
    path: requestPath,
    httpMethod: 'GET',
    headers: { accept: 'application/json' },
    multiValueHeaders: { accept: ['application/json'] },
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: sessionId === undefined ? null : { sessionId },
    stageVariables: null,
    requestContext: {
      resourcePath,
      httpMethod: 'GET',
      path: `/v1${requestPath}`,
      stage: 'v1',
      requestId: 'artifact-test',
      identity: { userArn: `arn:aws:iam::${EMULATED_ACCOUNT_ID}:user/auditor` },
    },
    body: null,
    isBase64Encoded: false,
  };
}

describe('the deployable artifact', () => {
  let workdir: string;
  let outdir: string;
  let synth: { code: number; output: string };

  beforeAll(async () => {
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-archive-artifact-'));
    outdir = path.join(workdir, 'cdk.out');
    synth = await synthOffline(outdir);
    // Synthesis bundles both functions with esbuild; a loaded CI machine needs room for it.
  }, 600_000);

  afterAll(() => {
    fs.rmSync(workdir, { recursive: true, force: true });
  });

  it('`npx cdk synth` succeeds offline with no AWS credentials and writes the template', () => {
    expect(synth.code, synth.output).toBe(0);
    expect(fs.existsSync(path.join(outdir, `${STACK}.template.json`))).toBe(true);
  });

  describe('run from cdk.out against the SSM emulator and dynalite', () => {
    const tableName = `artifact-${process.pid}`;
    let emulator: SsmEmulator;
    let dynalite: EmbeddedStore;
    let bus: InProcessEventBus;
    let eventBridge: EventBridgeEndpoint;
    let compliance: Invocation;
    let findingsPage: { statusCode: number; body: string };
    let expectedIds: string[];
    let sweeperEnv: Record<string, string>;
    let sweep: Invocation;
    let query: Invocation;
    let firstPage: { statusCode: number; body: string };
    let listedIds: string[];

    beforeAll(async () => {
      expect(synth.code, synth.output).toBe(0);
      emulator = await startSsmEmulator({});
      dynalite = await startEmbeddedStore();
      const now = emulator.clock.now();
      emulator.generateSessions({ count: 60, seed: 20261122, fromMs: now - 72 * HOUR_MS, toMs: now - HOUR_MS });
      expectedIds = emulator
        .allSessions()
        .filter((session) => !['Pending', 'Purged'].includes(emulator.stateOf(session)))
        .map((session) => session.sessionId)
        .sort();
      const dynamo = new DynamoDBClient({ region: REGION, endpoint: dynalite.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      await ensureArchiveTable(dynamo, tableName);
      dynamo.destroy();

      bus = new InProcessEventBus({ account: EMULATED_ACCOUNT_ID, region: REGION });
      eventBridge = await startEventBridgeEndpoint(bus);

      const lambdaEnv = { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
      const local = {
        TABLE_NAME: tableName,
        ACCOUNT_ID: EMULATED_ACCOUNT_ID,
        TOKEN_SECRET: randomBytes(32).toString('hex'),
        EVENT_BUS_NAME: 'session-archive',
      };

      const sweeper = functionAsset(outdir, `${STACK}/SessionArchive/Sweeper`);
      // No S3 or KMS here: the bundle runs without evidence (EVIDENCE_* name the bucket and key,
      // which only AWS has). The evidence write path runs in test/integration/evidence-*.test.ts.
      const { EVIDENCE_BUCKET: evidenceBucket, EVIDENCE_PREFIX: _prefix, EVIDENCE_KEY_ID: evidenceKey, ...sweeperTemplateEnv } = sweeper.environment;
      expect(JSON.stringify([evidenceBucket, evidenceKey])).toMatch(/SessionArchiveEvidenceBucket.*SessionArchiveEvidenceSigningKey/);
      sweeperEnv = {
        ...resolveEnvironment(sweeperTemplateEnv, local),
        ...lambdaEnv,
        SSM_ENDPOINT: emulator.endpoint,
        DYNAMODB_ENDPOINT: dynalite.endpoint,
        EVENTS_ENDPOINT: eventBridge.endpoint,
      };
      sweep = await invokeInFreshNode(sweeper, 'sweeper', sweeperEnv, [{ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }], workdir);

      // The compliance bundle gets the Session Archived events as EventBridge delivers them; a
      // one-minute maximum makes nearly every ended session a finding.
      const complianceFn = functionAsset(outdir, `${STACK}/SessionArchive/Compliance`);
      const complianceEnv = {
        ...resolveEnvironment(complianceFn.environment, local),
        ...lambdaEnv,
        COMPLIANCE_RULES: '{"maxDurationMinutes":1}',
        DYNAMODB_ENDPOINT: dynalite.endpoint,
        EVENTS_ENDPOINT: eventBridge.endpoint,
      };
      const archivedEvents: BusEnvelope[] = bus.events.filter((event) => event['detail-type'] === DETAIL_TYPE.sessionArchived);
      compliance = await invokeInFreshNode(complianceFn, 'compliance', complianceEnv, archivedEvents, workdir);

      const queryFn = functionAsset(outdir, `${STACK}/SessionArchive/Query`);
      // Deployed, the function reads its token key from Secrets Manager (TOKEN_SECRET_ARN); here it
      // gets the key itself (TOKEN_SECRET), the local form the handler accepts without an ARN.
      const { TOKEN_SECRET_ARN: tokenSecretArn, ...queryTemplateEnv } = queryFn.environment;
      expect(JSON.stringify(tokenSecretArn)).toMatch(/\{"Ref":"SessionArchiveTokenSecret[0-9A-F]+"\}/);
      const queryEnv = {
        ...resolveEnvironment(queryTemplateEnv, local),
        ...lambdaEnv,
        DYNAMODB_ENDPOINT: dynalite.endpoint,
        TOKEN_SECRET: local.TOKEN_SECRET,
      };
      query = await invokeInFreshNode(
        queryFn,
        'query',
        queryEnv,
        [getSessionsEvent({ limit: '1000', order: 'asc' }), getSessionsEvent({}, expectedIds[0]), getSessionsEvent({ limit: '1000' }, undefined, '/findings')],
        workdir,
      );
      findingsPage = query.results[2] as { statusCode: number; body: string };
      firstPage = query.results[0] as { statusCode: number; body: string };
      // Each request does bounded work: follow nextToken, one fresh process per page.
      listedIds = [];
      let page = firstPage;
      for (;;) {
        const body = JSON.parse(page.body) as { sessions: { sessionId: string }[]; nextToken?: string };
        listedIds.push(...body.sessions.map((session) => session.sessionId));
        if (body.nextToken === undefined) break;
        const next = await invokeInFreshNode(queryFn, 'query', queryEnv, [getSessionsEvent({ limit: '1000', order: 'asc', nextToken: body.nextToken })], workdir);
        page = next.results[0] as { statusCode: number; body: string };
      }
    }, 600_000);

    afterAll(async () => {
      await eventBridge?.close();
      await emulator?.close();
      await dynalite?.close();
    });

    it('has sessions to archive (the emulator holds open and ended ones)', () => {
      expect(expectedIds.length).toBeGreaterThan(10);
    });

    /** The sweep's summary, as the bundle logs it. */
    const sweepSummary = () => sweep.stdoutJson.find((line) => line.message === 'sweep finished');

    it('the bundled sweeper archives every session SSM holds in one complete sweep of the hub, invoked by the schedule', () => {
      // Invoked directly (no SQS records), it sweeps the hub's own account and returns the summary it logs.
      expect(sweep.results[0]).toMatchObject({ complete: true, written: expectedIds.length, accountId: EMULATED_ACCOUNT_ID, region: REGION });
      expect(sweepSummary()).toMatchObject({ complete: true, written: expectedIds.length, accountId: EMULATED_ACCOUNT_ID, region: REGION });
    });

    it('the bundled sweeper emits the EMF metrics the alarms watch, under their namespace and service', () => {
      const emf = sweep.stdoutJson.find((line) => line._aws !== undefined && line[SWEEP_METRIC.sweepCompleted] !== undefined);
      expect(emf).toBeDefined();
      const namespaces = (emf?._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] }).CloudWatchMetrics;
      expect(namespaces.map((entry) => [entry.Namespace, entry.Dimensions])).toEqual([[METRICS_NAMESPACE, [['service']]]]);
      expect(emf).toMatchObject({
        service: sweeperEnv.POWERTOOLS_SERVICE_NAME,
        [SWEEP_METRIC.sweepCompleted]: 1,
        [SWEEP_METRIC.sessionsArchived]: expectedIds.length,
        [SWEEP_METRIC.coverageGapSeconds]: 0,
      });
    });

    it('the bundled sweeper publishes one Session Archived per archived session, and one Sweep Completed, through the SDK', () => {
      const archived = bus.events.filter((event) => event['detail-type'] === DETAIL_TYPE.sessionArchived);
      expect(archived.map((event) => (event.detail as { session: { sessionId: string } }).session.sessionId).sort()).toEqual(expectedIds);
      expect(bus.events.filter((event) => event['detail-type'] === DETAIL_TYPE.sweepCompleted)).toHaveLength(1);
      expect(sweepSummary()).toMatchObject({ sessionEvents: { published: expectedIds.length, undelivered: 0 } });
    });

    it('the bundled compliance function records and announces findings, which the query function serves', () => {
      const created = (compliance.results as { created: number }[]).reduce((sum, outcome) => sum + outcome.created, 0);
      expect(created).toBeGreaterThan(10);
      const announced = bus.events.filter((event) => event['detail-type'] === DETAIL_TYPE.complianceFinding);
      expect(announced).toHaveLength(created);
      expect(findingsPage.statusCode).toBe(200);
      const served = (JSON.parse(findingsPage.body) as { findings: { findingId: string; rule: string }[] }).findings;
      expect(served.map((finding) => finding.findingId).sort()).toEqual(announced.map((event) => (event.detail as { finding: { findingId: string } }).finding.findingId).sort());
      expect(new Set(served.map((finding) => finding.rule))).toEqual(new Set(['max-duration']));
    });

    it('the bundled query function lists exactly the archived sessions for GET /sessions', () => {
      expect(firstPage.statusCode).toBe(200);
      expect([...listedIds].sort()).toEqual(expectedIds);
    });

    it('the bundled query function returns one archived session for GET /sessions/{sessionId}', () => {
      const response = query.results[1] as { statusCode: number; body: string };
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ sessionId: expectedIds[0], accountId: EMULATED_ACCOUNT_ID, region: REGION, source: 'ssm' });
    });
  });
});
