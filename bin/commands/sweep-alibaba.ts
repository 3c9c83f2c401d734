/**
 * `session-archive sweep --source alibaba`: one sweep of Alibaba Cloud ECS DescribeTerminalSessions
 * into the archive table, with the AccessKey pair from the standard variables
 * ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (never from a flag: flags end up
 * in shell history and process lists).
 */
import { AlibabaTerminalSource } from '../../lambdas/adapters/alibaba/alibaba-terminal-source';
import { createDocumentClient } from '../../lambdas/adapters/aws/clients';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { ALIBABA_ACCOUNT_PATTERN, ALIBABA_REGION_PATTERN } from '../../lambdas/core/targets/alibaba-targets';
import { systemClock } from '../../lambdas/core/sweep/ports';
import type { SweepSummary } from '../../lambdas/core/sweep/sweep';
import { sweepUnfiltered } from '../../lambdas/core/sweep/unfiltered-sweep';
import { CliUsageError } from './cli-support';
import { sweepWithEvidence, type SweepEvidenceFlags } from './sweep-evidence';

export const DEFAULT_ALIBABA_ACCOUNT = 'default';

export interface AlibabaSweepArgs {
  table: string;
  region: string | undefined;
  endpoint: string | undefined;
  account: string | undefined;
  dynamodbEndpoint: string | undefined;
  historyRetentionDays: number;
  evidence: SweepEvidenceFlags;
}

export async function sweepAlibaba(args: AlibabaSweepArgs, env: NodeJS.ProcessEnv): Promise<SweepSummary> {
  const region = args.region ?? env.ALIBABA_CLOUD_REGION_ID;
  if (region === undefined) throw new CliUsageError('--region is required with --source alibaba (an Alibaba Cloud region id such as cn-hangzhou)');
  if (!ALIBABA_REGION_PATTERN.test(region)) throw new CliUsageError(`--region must be an Alibaba Cloud region id such as cn-hangzhou, got '${region}'`);
  const account = args.account ?? DEFAULT_ALIBABA_ACCOUNT;
  if (!ALIBABA_ACCOUNT_PATTERN.test(account)) throw new CliUsageError(`--account must be an account label (a letter, then a-z 0-9 -, up to 63; or 16 digits), got '${account}'`);
  const accessKeyId = env.ALIBABA_CLOUD_ACCESS_KEY_ID?.trim();
  const accessKeySecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET?.trim();
  const unset = [accessKeyId ? undefined : 'ALIBABA_CLOUD_ACCESS_KEY_ID', accessKeySecret ? undefined : 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'].filter((name) => name !== undefined);
  if (unset.length > 0) throw new CliUsageError(`--source alibaba reads the AccessKey pair from the environment: set ${unset.join(' and ')}`);
  // The archive is in AWS: its table is in the AWS region of the environment.
  const documents = createDocumentClient({ region: env.AWS_REGION ?? 'us-east-1', endpoint: args.dynamodbEndpoint });
  try {
    await ensureArchiveTable(documents, args.table);
    const source = new AlibabaTerminalSource({
      accessKeyId: accessKeyId as string,
      accessKeySecret: accessKeySecret as string,
      accountLabel: account,
      region,
      historyRetentionDays: args.historyRetentionDays,
      ...(args.endpoint === undefined ? {} : { endpoint: args.endpoint }),
    });
    return await sweepWithEvidence(args.evidence, { documents, table: args.table, scope: source.scope }, (ports) => sweepUnfiltered({ source, clock: systemClock, ...ports }));
  } finally {
    documents.destroy();
  }
}
