/**
 * `session-archive sweep`: one sweep of SSM into an archive table, creating the table when it
 * does not exist, then a JSON summary on stdout. Without endpoint flags it talks to AWS with the
 * default credential chain.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { parseArgs } from 'node:util';
import { createDocumentClient, createSsmClient } from '../../lambdas/adapters/aws/clients';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { SsmSessionSource } from '../../lambdas/adapters/aws/ssm-session-source';
import { systemClock } from '../../lambdas/core/sweep/ports';
import { sweep } from '../../lambdas/core/sweep/sweep';
import { CliUsageError, describeFailure, positiveInteger, runCli } from './cli-support';
import { sweepAlibaba } from './sweep-alibaba';
import { checkSweepEvidenceFlags, SWEEP_EVIDENCE_OPTIONS, sweepWithEvidence, type SweepEvidenceFlags } from './sweep-evidence';

export const SWEEP_USAGE = `Usage: session-archive sweep --table NAME [options]

Runs one sweep: lists SSM Session Manager sessions (Active, then History), or Alibaba Cloud
ECS terminal sessions (--source alibaba), and archives every one into the DynamoDB table,
then prints a JSON summary (pages fetched, sessions seen, written, unchanged, watermark,
gaps). Creates the table when it does not exist. Into a table that keeps evidence for the
target, it sweeps only with --evidence and --evidence-key.

Options:
  --table <name>                  archive table (required)
  --source <ssm|alibaba>          where the sessions come from (default ssm)
  --region <r>                    AWS region (default: $AWS_REGION, else us-east-1); with
                                  --source alibaba an Alibaba Cloud region such as cn-hangzhou
                                  (required; or $ALIBABA_CLOUD_REGION_ID)
  --ssm-endpoint <url>            SSM endpoint, e.g. the local emulator (default: AWS)
  --endpoint <url>                Alibaba ECS endpoint, e.g. the local emulator (default:
                                  Alibaba's endpoint for the region)
  --account <label>               Alibaba account label the sessions are filed under
                                  (default 'default'); the AccessKey pair comes from
                                  ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET
  --dynamodb-endpoint <url>       DynamoDB endpoint, e.g. dynalite (default: AWS)
  --account-id <id>               account the sessions belong to (default: from STS; 000000000000
                                  with --ssm-endpoint)
  --history-retention-days <n>    how long the source keeps History (default 30)
${SWEEP_EVIDENCE_OPTIONS}
  --help                          show this help

Examples:
  session-archive sweep --ssm-endpoint http://127.0.0.1:4600 \\
    --dynamodb-endpoint http://127.0.0.1:4567 --table session-archive
  ALIBABA_CLOUD_ACCESS_KEY_ID=… ALIBABA_CLOUD_ACCESS_KEY_SECRET=… session-archive sweep \\
    --source alibaba --endpoint http://127.0.0.1:4610 --region cn-hangzhou \\
    --dynamodb-endpoint http://127.0.0.1:4567 --table session-archive
`;

export async function runSweepCommand(argv: string[]): Promise<void> {
  await runCli('sweep', SWEEP_USAGE, async () => {
    const { values } = parseArgs({
      args: argv,
      options: {
        table: { type: 'string' },
        region: { type: 'string' },
        'ssm-endpoint': { type: 'string' },
        'dynamodb-endpoint': { type: 'string' },
        'account-id': { type: 'string' },
        'history-retention-days': { type: 'string' },
        source: { type: 'string' },
        endpoint: { type: 'string' },
        account: { type: 'string' },
        evidence: { type: 'string' },
        'evidence-key': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) return SWEEP_USAGE;
    if (!values.table) throw new CliUsageError('--table is required');
    const source = values.source ?? 'ssm';
    if (source !== 'ssm' && source !== 'alibaba') throw new CliUsageError(`--source must be ssm or alibaba, got '${source}'`);
    const evidence: SweepEvidenceFlags = { evidence: values.evidence, evidenceKey: values['evidence-key'] };
    checkSweepEvidenceFlags(evidence);
    if (source === 'alibaba') return sweepAlibabaCommand(values, values.table, evidence);
    if (values.endpoint !== undefined || values.account !== undefined) throw new CliUsageError('--endpoint and --account go with --source alibaba; for SSM use --ssm-endpoint and --account-id');
    const region = values.region ?? process.env.AWS_REGION ?? 'us-east-1';
    const ssmEndpoint = values['ssm-endpoint'];
    const historyRetentionDays = values['history-retention-days'] === undefined ? 30 : positiveInteger('--history-retention-days', values['history-retention-days']);
    if (values['account-id'] !== undefined && !/^\d{12}$/.test(values['account-id'])) throw new CliUsageError(`--account-id must be 12 digits, got '${values['account-id']}'`);

    const documents = createDocumentClient({ region, endpoint: values['dynamodb-endpoint'] });
    const ssm = createSsmClient({ region, endpoint: ssmEndpoint });
    try {
      const accountId = values['account-id'] ?? (ssmEndpoint ? '000000000000' : await callerAccount(region));
      await ensureArchiveTable(documents, values.table);
      const ssmSource = new SsmSessionSource({ client: ssm, accountId, region, historyRetentionDays });
      const summary = await sweepWithEvidence(evidence, { documents, table: values.table, scope: ssmSource.scope }, (ports) => sweep({ source: ssmSource, clock: systemClock, ...ports }));
      return `${JSON.stringify(summary, null, 2)}\n`;
    } catch (error: unknown) {
      if (error instanceof CliUsageError) throw error;
      throw new Error(describeFailure(error));
    } finally {
      ssm.destroy();
      documents.destroy();
    }
  });
}

async function sweepAlibabaCommand(values: Record<string, string | boolean | undefined>, table: string, evidence: SweepEvidenceFlags): Promise<string> {
  const flag = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  if (flag('ssm-endpoint') !== undefined || flag('account-id') !== undefined) throw new CliUsageError('--ssm-endpoint and --account-id go with --source ssm; for Alibaba use --endpoint and --account');
  const retention = flag('history-retention-days');
  const args = {
    table,
    region: flag('region'),
    endpoint: flag('endpoint'),
    account: flag('account'),
    dynamodbEndpoint: flag('dynamodb-endpoint'),
    historyRetentionDays: retention === undefined ? 30 : positiveInteger('--history-retention-days', retention),
    evidence,
  };
  try {
    return `${JSON.stringify(await sweepAlibaba(args, process.env), null, 2)}\n`;
  } catch (error: unknown) {
    if (error instanceof CliUsageError) throw error;
    throw new Error(describeFailure(error));
  }
}

async function callerAccount(region: string): Promise<string> {
  const sts = new STSClient({ region });
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new Error('STS returned no account id; pass --account-id');
    return identity.Account;
  } finally {
    sts.destroy();
  }
}
