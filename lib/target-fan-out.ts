/**
 * The fan-out of a hub that sweeps more than itself: the schedule runs a planner, which lists the
 * targets and queues one message per target; the sweeper drains the queue one target per
 * invocation, at most `concurrency` at once; a target that fails three times in a row lands in the
 * dead-letter queue. SQS rather than Step Functions: docs/operations.md, "Fan-out: why SQS".
 */
import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { memberRoleArn } from '../lambdas/core/targets/target-planner';
import { DEFAULT_MEMBER_ROLE_NAME, toRawTargetsContext, type TargetsConfig } from '../lambdas/core/targets/targets';
import { ArchiveFunction } from './archive-function';
import { PLANNER_TABLE_ACCESS } from './table-access';

/** The Organizations calls account discovery makes (lambdas/adapters/aws/organizations-accounts.ts). */
export const PLANNER_ORGANIZATIONS_ACTIONS = ['organizations:ListAccountsForParent', 'organizations:ListChildren'] as const;
/** A target's message is retried this many times in all before it is dead-lettered. */
export const MAX_RECEIVE_COUNT = 3;
/** Lambda's advice for an SQS event source: a visibility timeout of at least six times the function's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** The event source's maximum concurrency (Lambda allows 2 to 1000). */
export const FAN_OUT_CONCURRENCY = { min: 2, max: 1000, default: 10 } as const;
/** Lambda's 4 KB environment must also hold the table name, the queue URL and the rest. */
export const MAX_TARGETS_CONFIG_JSON = 3000;

export interface TargetFanOutProps {
  /** The AWS side in organisation or explicit mode, or the hub alone with Alibaba Cloud accounts beside it. */
  readonly targets: TargetsConfig;
  readonly sweeper: ArchiveFunction;
  readonly table: ITable;
  readonly concurrency: number;
  /** Organisation mode: the `aws:ResourceOrgID` of member roles. */
  readonly organizationId?: string;
  /** Where failed asynchronous planner invocations go. */
  readonly failureQueue: sqs.IQueue;
  /** STALE_AFTER_HOURS: a target without a complete sweep for this long is stale. */
  readonly staleAfterHours: number;
  readonly plannerServiceName: string;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** The checked TARGETS_CONFIG: the configuration as JSON, the default role name left out to save room. */
export function targetsConfigJson(targets: TargetsConfig): string {
  const raw = toRawTargetsContext(targets);
  const compact = raw.targets === undefined ? raw : { targets: (raw.targets as Record<string, unknown>[]).map(({ memberRoleName, ...rest }) => (memberRoleName === DEFAULT_MEMBER_ROLE_NAME ? rest : { memberRoleName, ...rest })) };
  const json = JSON.stringify(compact);
  if (json.length > MAX_TARGETS_CONFIG_JSON) {
    throw new Error(
      `the targets configuration takes ${json.length} characters as JSON; at most ${MAX_TARGETS_CONFIG_JSON} fit the planner's environment ` +
        '(Lambda allows 4 KB): list fewer accounts, or use organisation mode (organization), which discovers them',
    );
  }
  return json;
}

export function checkedFanOutConcurrency(value: number | undefined): number {
  const concurrency = value ?? FAN_OUT_CONCURRENCY.default;
  if (!Number.isInteger(concurrency) || concurrency < FAN_OUT_CONCURRENCY.min || concurrency > FAN_OUT_CONCURRENCY.max) {
    throw new Error(`fanOutConcurrency must be a whole number from ${FAN_OUT_CONCURRENCY.min} to ${FAN_OUT_CONCURRENCY.max}, got ${value}`);
  }
  return concurrency;
}

export class TargetFanOut extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly planner: ArchiveFunction;
  /** Organisation mode: the role name the sweeper may assume in any account of the organisation. */
  readonly organizationMemberRoleName?: string;

  constructor(scope: Construct, id: string, props: TargetFanOutProps) {
    super(scope, id);
    const sweeperTimeout = props.sweeper.timeout ?? Duration.minutes(5);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.queue = new sqs.Queue(this, 'Targets', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A message is in flight for at most one sweeper timeout; six times that is Lambda's advice, and the back-off between retries.
      visibilityTimeout: Duration.seconds(sweeperTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      // The planner queues every target again at every run: a day outlasts every retry, and an older message is stale work.
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    props.sweeper.addEventSource(new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: props.concurrency }));
    this.grantAssumeMemberRoles(props);
    this.grantAlibabaSecrets(props);
    if (props.targets.mode === 'organization') this.organizationMemberRoleName = props.targets.memberRoleName;
    this.planner = this.createPlanner(props);
  }

  private createPlanner(props: TargetFanOutProps): ArchiveFunction {
    const planner = new ArchiveFunction(this, 'Planner', {
      description: 'Lists the Session Archive targets and queues one sweep per target',
      entry: 'lambdas/planner/handler.ts',
      // Organizations answers 20 accounts a page at a few calls a second; minutes cover thousands of accounts.
      timeout: Duration.minutes(5),
      memorySize: 256,
      // No async retries: the next scheduled run plans everything again.
      retryAttempts: 0,
      maxEventAge: Duration.hours(1),
      onFailure: new destinations.SqsDestination(props.failureQueue),
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: {
        TARGET_QUEUE_URL: this.queue.queueUrl,
        TARGETS_CONFIG: targetsConfigJson(props.targets),
        HUB_ACCOUNT_ID: Stack.of(this).account,
        STALE_AFTER_HOURS: String(props.staleAfterHours),
        POWERTOOLS_SERVICE_NAME: props.plannerServiceName,
      },
    }).bindTable(props.table, PLANNER_TABLE_ACCESS);
    // SendMessageBatch is authorised as sqs:SendMessage.
    planner.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    if (props.targets.mode === 'organization') {
      // Organizations' List* actions accept no resource but `*`.
      planner.addToRolePolicy(new iam.PolicyStatement({ actions: [...PLANNER_ORGANIZATIONS_ACTIONS], resources: ['*'] }));
    }
    return planner;
  }

  /**
   * Organisation mode: the member role's name in any account of the organisation (`aws:ResourceOrgID`,
   * or, without an organisation id, the sweeper's own organisation). Explicit mode: the exact role ARNs.
   */
  private grantAssumeMemberRoles(props: TargetFanOutProps): void {
    const partition = Stack.of(this).partition;
    const targets = props.targets;
    if (targets.mode === 'organization') {
      props.sweeper.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          resources: [memberRoleArn('*', targets.memberRoleName, partition)],
          conditions: { StringEquals: { 'aws:ResourceOrgID': props.organizationId ?? '${aws:PrincipalOrgID}' } },
        }),
      );
      return;
    }
    if (targets.mode === 'hub') return;
    const arns = [...new Set(targets.targets.map((target) => memberRoleArn(target.accountId, target.memberRoleName, partition)))];
    props.sweeper.addToRolePolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: arns }));
  }

  /** Alibaba Cloud: the sweeper reads exactly the secrets that hold the configured accounts' AccessKey pairs. */
  private grantAlibabaSecrets(props: TargetFanOutProps): void {
    const arns = [...new Set((props.targets.alibaba ?? []).map((account) => account.credentialsSecretArn))];
    if (arns.length === 0) return;
    props.sweeper.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: arns }));
  }
}
