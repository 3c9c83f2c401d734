/**
 * A whole organisation on one machine for `npm start -- --accounts N --regions a,b`: the STS,
 * Organizations and SSM emulators (each account and region with its own sessions that keep
 * arriving and ending), and a hub that plans, assumes each member role and sweeps every target
 * through the same planner, AssumeRole and per-target code as the deployment, at most
 * `concurrency` targets at once.
 */
import { Organizations } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { MemberCredentials } from '../lambdas/adapters/aws/member-credentials';
import { OrganizationsAccountDirectory } from '../lambdas/adapters/aws/organizations-accounts';
import { classifyTargetFailure } from '../lambdas/adapters/aws/target-failures';
import { TargetSources } from '../lambdas/adapters/aws/target-sources';
import type { EventSink } from '../lambdas/core/events/ports';
import { systemClock, type ArchiveStore, type CoreLogger } from '../lambdas/core/sweep/ports';
import { planTargets } from '../lambdas/core/targets/target-planner';
import type { EvidenceWriter } from '../lambdas/core/evidence/writer';
import { sweepTarget } from '../lambdas/core/sweep/target-sweep';
import { parseTargetsConfig } from '../lambdas/core/targets/targets';
import { sampleOrganization, startOrganizationsEmulator, startStsEmulator } from './emulators';
import { startOrganizationSsm } from './emulators/ssm-organization';
import { sweepTargets, type TargetOutcome } from './fan-out';
import { SystemClock } from './ssm-emulator';
import { GeneratedSessionFeed } from './session-feed';

export interface LocalOrganizationOptions {
  /** Member accounts besides the hub (the management account, swept with its own credentials). */
  accounts: number;
  regions: string[];
  /** Sessions per 30 days in each account and region. */
  sessions: number;
  seed: number;
  /** Targets swept at once, as the deployment's fan-out limit. */
  concurrency: number;
}

export interface LocalOrganization {
  readonly hubAccountId: string;
  readonly endpoints: { sts: string; organizations: string; ssm: string };
  /** Generates each target's sessions up to the epoch after `nowMs`. */
  fillUntil(nowMs: number): void;
  /** Plans and sweeps every target; returns the line to print. */
  sweepAll(store: ArchiveStore, events: EventSink, shouldStop: () => boolean, logger: CoreLogger, evidence?: EvidenceWriter): Promise<string>;
  close(): Promise<void>;
}

const HUB_KEY = { accessKeyId: 'AKIALOCALHUBSWEEPER1', secretAccessKey: 'local-hub-secret' };
const EXTERNAL_ID = 'session-archive-local';

export async function startLocalOrganization(options: LocalOrganizationOptions): Promise<LocalOrganization> {
  const { organization, memberIds } = sampleOrganization({ members: options.accounts, externalId: EXTERNAL_ID, callers: { [HUB_KEY.accessKeyId]: 'arn:aws:iam::111111111111:role/SessionArchiveSweeper' } });
  const sts = await startStsEmulator({ organization });
  const organizations = await startOrganizationsEmulator({ organization });
  const ssm = await startOrganizationSsm({ organization, emulator: { clock: new SystemClock() } });
  const feeds: GeneratedSessionFeed[] = [];
  for (const [a, accountId] of [organization.hubAccountId, ...memberIds].entries()) {
    for (const [r, region] of options.regions.entries()) {
      feeds.push(new GeneratedSessionFeed(await ssm.target(accountId, region), options.sessions, options.seed + 1_000 * a + r));
    }
  }
  const stsClient = new STSClient({ region: options.regions[0], endpoint: sts.endpoint, credentials: HUB_KEY });
  const sources = new TargetSources({ credentials: new MemberCredentials({ sts: stsClient }), hubCredentials: HUB_KEY, ssmEndpoint: ssm.endpoint, clock: systemClock });
  const orgClient = new Organizations({ region: options.regions[0], endpoint: organizations.endpoint, credentials: HUB_KEY });
  const directory = new OrganizationsAccountDirectory(orgClient);
  const config = parseTargetsConfig({ organization: { rootId: organization.rootId, externalId: EXTERNAL_ID, regions: options.regions } });
  const hub = { accountId: organization.hubAccountId, region: options.regions[0] ?? 'us-east-1' };

  return {
    hubAccountId: organization.hubAccountId,
    endpoints: { sts: sts.endpoint, organizations: organizations.endpoint, ssm: ssm.endpoint },
    fillUntil: (nowMs) => feeds.forEach((feed) => feed.fillUntil(nowMs)),
    sweepAll: async (store, events, shouldStop, logger, evidence) => {
      const plan = await planTargets(config, hub, directory);
      const started = Date.now();
      const outcomes = await sweepTargets(plan.targets, options.concurrency, (target) =>
        sweepTarget(
          target,
          { store, clock: systemClock, logger, events, openSource: async () => sources.open(target), classify: classifyTargetFailure, ...(evidence ? { evidence } : {}) },
          { remainingTimeMs: () => (shouldStop() ? 0 : Number.POSITIVE_INFINITY) },
        ),
      );
      return describeRun(outcomes, Date.now() - started);
    },
    close: async () => {
      sources.destroy();
      stsClient.destroy();
      orgClient.destroy();
      await Promise.all([sts.close(), organizations.close(), ssm.close()]);
    },
  };
}

function describeRun(outcomes: readonly TargetOutcome[], durationMs: number): string {
  let seen = 0;
  let written = 0;
  let calls = 0;
  const failed: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'swept') {
      seen += outcome.summary.sessionsSeen;
      written += outcome.summary.written;
      calls += outcome.summary.sourceCalls;
    } else if (outcome.status === 'failed') failed.push(`${outcome.target.key} ${outcome.kind}`);
  }
  const swept = outcomes.filter((outcome) => outcome.status === 'swept').length;
  const tail = failed.length > 0 ? `; FAILED ${failed.join(', ')}` : '';
  return `${outcomes.length} targets in ${(durationMs / 1000).toFixed(1)} s: ${swept} swept (${seen} seen, ${written} written, ${calls} SSM calls)${tail}`;
}
