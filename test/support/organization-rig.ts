/**
 * A hub with a whole emulated organisation: the STS, Organizations and SSM emulators, dynalite,
 * and the same planner, AssumeRole and per-target sweep code as the deployment, run through the
 * local fan-out. Tests and the organisation benchmark use it.
 */
import { Organizations } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { MemberCredentials } from '../../lambdas/adapters/aws/member-credentials';
import { OrganizationsAccountDirectory } from '../../lambdas/adapters/aws/organizations-accounts';
import { classifyTargetFailure } from '../../lambdas/adapters/aws/target-failures';
import { TargetSources } from '../../lambdas/adapters/aws/target-sources';
import type { SessionRecord } from '../../lambdas/core/session/session';
import type { SweepOptions } from '../../lambdas/core/sweep/sweep';
import { planTargets, type PlannedTarget } from '../../lambdas/core/targets/target-planner';
import { sweepTarget } from '../../lambdas/core/sweep/target-sweep';
import { parseTargetsConfig } from '../../lambdas/core/targets/targets';
import { sampleOrganization, startOrganizationsEmulator, startStsEmulator, type OrganizationsEmulator, type StsEmulator } from '../../local/emulators';
import { startOrganizationSsm, type OrganizationSsm } from '../../local/emulators/ssm-organization';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { sweepTargets, type TargetOutcome } from '../../local/fan-out';
import { ManualClock } from '../../local/ssm-emulator';
import { addRoundTripDelay } from './network-latency';

const HUB_KEY = { accessKeyId: 'AKIAHUBSWEEPER000001', secretAccessKey: 'hub-secret' };

export interface Hub {
  sample: ReturnType<typeof sampleOrganization>;
  sts: StsEmulator;
  organizations: OrganizationsEmulator;
  ssm: OrganizationSsm;
  dynalite: EmbeddedStore;
  clock: ManualClock;
  run(options?: SweepOptions): Promise<TargetOutcome[]>;
  /** The planner's targets (Organizations, every NextToken). */
  plan(): Promise<PlannedTarget[]>;
  /** Sweeps these targets through the fan-out, without planning (at the hub's concurrency unless given). */
  sweep(targets: readonly PlannedTarget[], options?: SweepOptions, atOnce?: number): Promise<TargetOutcome[]>;
  memberCredentials: MemberCredentials;
  archived(): Promise<SessionRecord[]>;
  store: DynamoArchiveStore;
  close(): Promise<void>;
}

export interface HubOptions {
  members: number;
  regions: string[];
  startMs: number;
  concurrency?: number;
  /** Modelled round trips (ms) to SSM, STS and DynamoDB; none by default. */
  latency?: NetworkLatency;
}

export interface NetworkLatency {
  ssmMs?: number;
  stsMs?: number;
  dynamodbMs?: number;
}

export async function startHub({ members, regions, startMs, concurrency = 3, latency = {} }: HubOptions): Promise<Hub> {
  const clock = new ManualClock(startMs);
  const sample = sampleOrganization({ members, externalId: 'org-archive', callers: { [HUB_KEY.accessKeyId]: 'arn:aws:iam::111111111111:role/SessionArchiveSweeper' }, acceptUnknownCallers: false });
  const sts = await startStsEmulator({ organization: sample.organization });
  const organizations = await startOrganizationsEmulator({ organization: sample.organization, maxPageSize: 2 });
  const ssmLatency = latency.ssmMs ? { faults: { latencyRate: 1, latencyMs: latency.ssmMs } } : {};
  const ssm = await startOrganizationSsm({ organization: sample.organization, emulator: { clock, ...ssmLatency } });
  const dynalite = await startEmbeddedStore();
  const dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: dynalite.endpoint, credentials: HUB_KEY });
  await ensureArchiveTable(dynamo, 'org-archive');
  addRoundTripDelay(dynamo, latency.dynamodbMs ?? 0);
  const documents = DynamoDBDocumentClient.from(dynamo);
  const store = new DynamoArchiveStore({ client: documents, tableName: 'org-archive' });
  const stsClient = new STSClient({ region: 'us-east-1', endpoint: sts.endpoint, credentials: HUB_KEY, maxAttempts: 2 });
  addRoundTripDelay(stsClient, latency.stsMs ?? 0);
  const credentials = new MemberCredentials({ sts: stsClient });
  const sources = new TargetSources({ credentials, hubCredentials: HUB_KEY, ssmEndpoint: ssm.endpoint, clock, maxAttempts: 2 });
  const directory = new OrganizationsAccountDirectory(new Organizations({ region: 'us-east-1', endpoint: organizations.endpoint, credentials: HUB_KEY }), { pageSize: 2 });
  const config = parseTargetsConfig({ organization: { organizationalUnitIds: [sample.organizationalUnitIds[0]], externalId: 'org-archive', regions } });
  const sweepOne = (target: PlannedTarget, options: SweepOptions) =>
    sweepTarget(target, { store, clock, openSource: async () => sources.open(target), classify: classifyTargetFailure }, options);
  return {
    sample,
    sts,
    organizations,
    ssm,
    dynalite,
    clock,
    store,
    memberCredentials: credentials,
    plan: async () => (await planTargets(config, { accountId: sample.organization.hubAccountId, region: 'us-east-1' }, directory)).targets,
    sweep: (targets, options = {}, atOnce = concurrency) => sweepTargets(targets, atOnce, (target) => sweepOne(target, options)),
    run: async (options = {}) =>
      sweepTargets((await planTargets(config, { accountId: sample.organization.hubAccountId, region: 'us-east-1' }, directory)).targets, concurrency, (target) => sweepOne(target, options)),
    archived: async () => {
      const items = (await documents.send(new ScanCommand({ TableName: 'org-archive' }))).Items ?? [];
      return items.filter((item) => String(item.pk).startsWith('SESSION#')) as SessionRecord[];
    },
    close: async () => {
      sources.destroy();
      stsClient.destroy();
      dynamo.destroy();
      await Promise.all([sts.close(), organizations.close(), ssm.close()]);
      await dynalite.close();
    },
  };
}
