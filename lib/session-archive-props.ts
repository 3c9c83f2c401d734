/**
 * The options of the SessionArchive construct: every default is secure and documented here and in
 * docs/operations.md; `bin/app.ts` fills them from cdk.json's context.
 */
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { ComplianceRules } from '../lambdas/core/compliance/rules';
import type { TargetsConfig } from '../lambdas/core/targets/targets';
import type { AuditorPrincipals } from './api-access';
import type { ApiThrottle } from './archive-api';

export interface SessionArchiveProps {
  /**
   * When the sweeper runs. Keep it well inside SSM's 30-day history window.
   * @default events.Schedule.rate(Duration.minutes(15))
   */
  readonly schedule?: events.Schedule;
  /**
   * How far below the last complete listing each History listing starts: sessions SSM showed late,
   * or that a page boundary or a clock skipped, are listed again. Whole minutes, 1 to 1440.
   * @default Duration.minutes(60)
   */
  readonly historyOverlap?: Duration;
  /**
   * How often a reconciliation lists everything SSM still holds (resumed across invocations), to
   * catch what shorter listings missed and confirm coverage. Whole hours, 1 to 168.
   * @default Duration.hours(24)
   */
  readonly reconcileEvery?: Duration;
  /**
   * Days to keep an archived session, counted from its end (or, when its end was never seen, from
   * when it went missing); open sessions never expire (DynamoDB TTL on `expiresAt`).
   * At least 30, the history SSM itself keeps.
   * @default undefined: keep forever, no TTL
   */
  readonly retentionDays?: number;
  /**
   * E-mail address subscribed to the alarm topic (it must confirm the subscription).
   * @default no subscription; subscribe to the `AlarmTopicArn` output yourself
   */
  readonly alarmEmail?: string;
  /**
   * How the archive table is encrypted at rest: `customer-managed` with a key of this stack whose
   * key policy names what each function may do (or with `encryptionKey`), or DynamoDB's
   * AWS-managed key `aws/dynamodb`, whose policy the account cannot narrow.
   * @default 'customer-managed'
   */
  readonly tableEncryption?: 'customer-managed' | 'aws-managed';
  /**
   * An existing customer-managed KMS key for the archive table instead of the stack's own. Its key
   * policy is yours: it must let the functions' roles use it through DynamoDB (docs/operations.md).
   * @default a key created by the stack (with `tableEncryption: 'customer-managed'`)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Retention of the functions' log groups and the API access logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the table and the log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * DynamoDB deletion protection on the archive table.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Alarm when the sweep checkpoint (watermark) is older than this.
   * @default Duration.days(7): weeks before the 30-day window drops anything
   */
  readonly watermarkAgeAlarmThreshold?: Duration;
  /**
   * Alarm when no sweep completed for this many consecutive hours (1-168).
   * @default 6
   */
  readonly noSweepAlarmHours?: number;
  /**
   * Stage throttling of the query API.
   * @default rate 50 requests/s, burst 100
   */
  readonly apiThrottle?: ApiThrottle;
  /**
   * Create a CloudWatch Logs role for API Gateway and set it in the account's API Gateway settings
   * (`AWS::ApiGateway::Account`). That setting is shared by every REST API of the account and
   * region, so it is opt-in, and the role is retained when the stack goes. Access logging needs a
   * role to be set: turn this on only if `aws apigateway get-account` shows none.
   * @default false
   */
  readonly apiGatewayCloudWatchRole?: boolean;
  /**
   * Who may call the query API (its resource policy denies everyone else): role ARNs and/or a
   * principal tag. Auditors also need the auditor managed policy attached.
   * @default the principal tag `session-archive-auditor` = `true`
   */
  readonly auditors?: AuditorPrincipals;
  /**
   * A role that may write to the table besides the archive's functions, including deletes, for
   * repairs (docs/operations.md, "Restoring"). Nobody else can: the table's resource policy denies it.
   * @default none
   */
  readonly breakGlassRole?: iam.IRole;
  /**
   * Record every data-plane call on the table (reads and writes, by whom) as CloudTrail data
   * events, in a trail and bucket of this stack. Billed per event.
   * @default false
   */
  readonly tableDataEvents?: boolean;
  /**
   * How long a pagination token is accepted (the query function's TOKEN_TTL_SECONDS, 60 s-7 days).
   * @default the function's own default (one day)
   */
  readonly tokenTtl?: Duration;
  /**
   * The sweeper's timeout; the sweep stops fetching 30 s before it and resumes next run.
   * @default Duration.minutes(5)
   */
  readonly sweeperTimeout?: Duration;
  /**
   * The EventBridge bus the events go to. A name other than `default` creates a dedicated bus of
   * that name (one per stack in an account and region); `default` uses the account's default bus.
   * @default a dedicated bus named `session-archive`
   */
  readonly eventBusName?: string;
  /**
   * The compliance rules the check applies to every archived session (docs/operations.md).
   * @default none: the check runs, every session passes
   */
  readonly complianceRules?: ComplianceRules;
  /**
   * Reserved concurrency of the sweeper. Not needed for correctness: overlapping sweeps are safe
   * (the checkpoint is conditional). Reserving N needs N + the account's minimum unreserved
   * concurrency (100, or 10 in accounts with a small quota) free: docs/operations.md, "Prerequisites".
   * @default none: the sweeper shares the account's unreserved concurrency
   */
  readonly sweeperReservedConcurrency?: number;
  /**
   * Reserved concurrency of the query function: caps what auditors can run at once and guarantees
   * them that much. Needs the same account headroom as `sweeperReservedConcurrency`.
   * @default none
   */
  readonly queryReservedConcurrency?: number;
  /**
   * Encrypt the alarm topic with a KMS key of its own, whose key policy lets CloudWatch publish.
   * @default false: SNS's default encryption-free topic (alarm names and states only, TLS-only)
   */
  readonly alarmTopicEncryption?: boolean;
  /**
   * What the archive sweeps (lambdas/core/targets/targets.ts): the accounts of AWS Organizations OUs
   * (`mode: 'organization'`), an explicit list (`mode: 'targets'`), or the hub's own account and
   * region (`mode: 'hub'`). Any mode but `hub` puts a planner on the schedule, which queues one
   * message per target for the sweeper (docs/operations.md, "Fan-out: why SQS").
   * @default { mode: 'hub' }: the stack's own account and region, swept directly by the schedule
   */
  readonly targets?: TargetsConfig;
  /**
   * The organisation id (`o-…`) of the swept accounts: the `aws:ResourceOrgID` the sweeper's
   * sts:AssumeRole requires and the `aws:PrincipalOrgID` the member role requires. Organisation mode only.
   * @default `aws:ResourceOrgID` must equal the sweeper's own `aws:PrincipalOrgID`; the member role checks no organisation
   */
  readonly organizationId?: string;
  /**
   * How many target sweeps run at once (the SQS event source's maximum concurrency, 2-1000).
   * @default 10
   */
  readonly fanOutConcurrency?: number;
  /**
   * Days each evidence object stays locked in the evidence bucket (S3 Object Lock, compliance mode,
   * 1 to 36500). It applies to objects written from then on; a lock once set can be lengthened,
   * never shortened, by anyone.
   * @default 400
   */
  readonly evidenceRetentionDays?: number;
  /**
   * When the scheduled verify of the evidence chains runs.
   * @default events.Schedule.rate(Duration.days(1))
   */
  readonly verifySchedule?: events.Schedule;
  /**
   * The StackSet that deploys the member role into the organisation's accounts (organisation mode only).
   * @default deployed, callAs SELF, stacks deleted when an account leaves the OUs
   */
  readonly memberRoleStackSet?: MemberRoleStackSetOptions;
}

export interface MemberRoleStackSetOptions {
  /** Deploy the member role with a service-managed StackSet. @default true */
  readonly enabled?: boolean;
  /** `DELEGATED_ADMIN` when the hub is a delegated administrator for StackSets, `SELF` in the management account. @default 'SELF' */
  readonly callAs?: 'SELF' | 'DELEGATED_ADMIN';
  /** Keep the role in an account that leaves the OUs. @default false */
  readonly retainStacksOnAccountRemoval?: boolean;
}

