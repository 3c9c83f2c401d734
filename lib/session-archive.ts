/**
 * SessionArchive: the whole product as one reusable construct. It composes the archive table,
 * the scheduled sweeper, the query API, the auditor policy, the event bus with the compliance
 * check, and the alarms; all behaviour lives in lambdas/, all defaults are here, each overridable
 * through props.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BY_OWNER, BY_START_MONTH, BY_TARGET, EVENTS_AND_FINDINGS, findingPartitionKey, OPEN_SESSIONS } from '../lambdas/adapters/archive-table';
import { parseComplianceRules, type ComplianceRules } from '../lambdas/core/compliance/rules';
import { DETAIL_TYPE, EVENT_SOURCE as SOURCE_OF_EVENTS } from '../lambdas/core/events/event-types';
import { ArchiveAlarms } from './archive-alarms';
import { ArchiveApi, type ApiThrottle } from './archive-api';
import { ArchiveFunction, type TableAccess } from './archive-function';
import { ArchiveTable } from './archive-table';
import { sweepScheduleProblem } from './schedule-expression';

/** The `source` of every event Session Archive puts on EventBridge (DESIGN.md, Events). */
export const EVENT_SOURCE = SOURCE_OF_EVENTS;

/** The dedicated bus the construct creates unless told otherwise. */
export const DEFAULT_EVENT_BUS_NAME = 'session-archive';
/** Lambda allows 4 KB of environment in all; the rules must leave room for the rest. */
const MAX_COMPLIANCE_RULES_JSON = 3000;

/** How long SSM keeps Session Manager history; the archive's retention may not be shorter. */
export const SSM_HISTORY_DAYS = 30;

export interface SessionArchiveProps {
  /**
   * When the sweeper runs. Keep it well inside SSM's 30-day history window.
   * @default events.Schedule.rate(Duration.minutes(15))
   */
  readonly schedule?: events.Schedule;
  /**
   * Days to keep an archived session, counted from its start (DynamoDB TTL on `expiresAt`).
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
   * Customer-managed KMS key for the archive table.
   * @default the AWS-managed key `aws/dynamodb`
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
   * Create the account-wide API Gateway CloudWatch Logs role. Turn off when the account/region
   * already has one set (API Gateway → Settings).
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;
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
}

/** Reserved concurrency is off (undefined) or a whole number of at least 1. */
function reservedConcurrency(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new Error(`${name} must be a whole number of at least 1, or undefined for no reserved concurrency; got ${value}`);
  }
  return value;
}

/** The sweeper's table access: exactly the calls DynamoArchiveStore makes. */
const SWEEPER_TABLE_ACCESS: TableAccess = {
  actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  // openSessions for the sweep, eventsAndFindings for the event outbox.
  indexes: [OPEN_SESSIONS.name, EVENTS_AND_FINDINGS.name],
  writes: true,
};

/**
 * The compliance check's table access: exactly the calls DynamoFindingsStore makes (a conditional
 * put, a read of a finding already stored, the removal of its outbox mark), on finding items only.
 */
const COMPLIANCE_TABLE_ACCESS: TableAccess = {
  actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
  writes: true,
  leadingKeys: [findingPartitionKey('*')],
};

/**
 * The query function's table access: exactly the calls DynamoSessionReader makes. It only ever
 * Queries (a session by key, a time range on an index, the checkpoints); never Scan, never a write.
 */
const QUERY_TABLE_ACCESS: TableAccess = {
  actions: ['dynamodb:Query'],
  indexes: [BY_START_MONTH.name, BY_TARGET.name, BY_OWNER.name, EVENTS_AND_FINDINGS.name],
  writes: false,
};

export class SessionArchive extends Construct {
  readonly table: dynamodb.Table;
  readonly sweeper: ArchiveFunction;
  readonly queryFunction: ArchiveFunction;
  readonly api: apigw.RestApi;
  readonly auditorPolicy: iam.ManagedPolicy;
  readonly alarms: ArchiveAlarms;
  /** Sweeper invocations that failed, and schedule events that could not be delivered. */
  readonly failureQueue: sqs.Queue;
  readonly scheduleRule: events.Rule;
  /** The `source` field of the events the archive publishes, for your EventBridge rules. */
  readonly eventSource = EVENT_SOURCE;
  /** Where the sweeper and the compliance check publish. */
  readonly eventBus: events.IEventBus;
  /** Checks every `Session Archived` event against the compliance rules. */
  readonly complianceFunction: ArchiveFunction;
  /** `Session Archived` on the bus → the compliance function. */
  readonly complianceRule: events.Rule;
  /** Events the compliance check could not take or failed on after its retries. */
  readonly complianceDeadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: SessionArchiveProps = {}) {
    super(scope, id);
    if (props.retentionDays !== undefined && (!Number.isInteger(props.retentionDays) || props.retentionDays < SSM_HISTORY_DAYS)) {
      throw new Error(`retentionDays must be a whole number of at least ${SSM_HISTORY_DAYS} (SSM's own history), got ${props.retentionDays}`);
    }
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const sweeperServiceName = `${stack.stackName}-sweeper`;
    // Checked here as well as in cdk.json's reader: a construct used on its own gets the same errors.
    const complianceRules = parseComplianceRules(props.complianceRules ?? {}, 'complianceRules');
    const complianceRulesJson = JSON.stringify(complianceRules.config);
    if (complianceRulesJson.length > MAX_COMPLIANCE_RULES_JSON) {
      throw new Error(`complianceRules take ${complianceRulesJson.length} characters as JSON; at most ${MAX_COMPLIANCE_RULES_JSON} fit the function's environment (use target patterns with *)`);
    }
    const eventBusName = props.eventBusName ?? DEFAULT_EVENT_BUS_NAME;
    if (!/^[A-Za-z0-9._-]{1,256}$/.test(eventBusName)) throw new Error(`eventBusName must be 1-256 of A-Z a-z 0-9 . _ -, got ${JSON.stringify(eventBusName)}`);

    this.table = new ArchiveTable(this, 'Archive', {
      encryptionKey: props.encryptionKey,
      expireItems: props.retentionDays !== undefined,
      removalPolicy,
      deletionProtection: props.deletionProtection,
    }).table;

    this.failureQueue = new sqs.Queue(this, 'SweepFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.sweeper = new ArchiveFunction(this, 'Sweeper', {
      description: 'Sweeps SSM Session Manager history into the archive table',
      entry: 'lambdas/sweeper/handler.ts',
      timeout: props.sweeperTimeout ?? Duration.minutes(5),
      memorySize: 512,
      // No reserved concurrency unless asked for: reserving fails the deploy in accounts with a
      // small concurrency quota, and it is not needed. Overlapping sweeps are safe: the checkpoint
      // moves only by a conditional write on its previous value, so a second sweep can neither
      // skip a range nor move it backwards; it only repeats idempotent writes.
      reservedConcurrentExecutions: reservedConcurrency('sweeperReservedConcurrency', props.sweeperReservedConcurrency),
      // No async retries: the next scheduled sweep resumes from the checkpoint. A failed or
      // expired invocation lands in the failure queue.
      retryAttempts: 0,
      maxEventAge: Duration.hours(1),
      onFailure: new destinations.SqsDestination(this.failureQueue),
      logRetention,
      logRemovalPolicy: removalPolicy,
      environment: {
        ACCOUNT_ID: stack.account,
        POWERTOOLS_SERVICE_NAME: sweeperServiceName,
        ...(props.retentionDays === undefined ? {} : { RETENTION_DAYS: String(props.retentionDays) }),
      },
    }).bindTable(this.table, SWEEPER_TABLE_ACCESS);
    // DescribeSessions has no resource-level permissions: `*` is the only resource it accepts.
    this.sweeper.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:DescribeSessions'], resources: ['*'] }));

    // A dedicated bus by default: the sweeper may put events on it and nowhere else, and rules
    // other applications keep on the default bus never see session data by accident.
    this.eventBus =
      eventBusName === 'default'
        ? events.EventBus.fromEventBusName(this, 'EventBus', 'default')
        : new events.EventBus(this, 'EventBus', { eventBusName, description: 'Session Archive: Session Archived, Sweep Completed, Coverage Gap Detected, Session Compliance Finding' });
    this.eventBus.grantPutEventsTo(this.sweeper);
    this.sweeper.addEnvironment('EVENT_BUS_NAME', this.eventBus.eventBusName);

    this.complianceDeadLetters = new sqs.Queue(this, 'ComplianceFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.complianceFunction = new ArchiveFunction(this, 'Compliance', {
      description: 'Checks archived sessions against the compliance rules and records findings',
      entry: 'lambdas/compliance/handler.ts',
      // One session per invocation: a few DynamoDB and EventBridge calls.
      timeout: Duration.seconds(30),
      memorySize: 256,
      // EventBridge invokes asynchronously: Lambda retries a failed check twice, then the event
      // goes to the dead-letter queue. Re-running a check never writes a finding twice.
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.complianceDeadLetters),
      logRetention,
      logRemovalPolicy: removalPolicy,
      environment: {
        COMPLIANCE_RULES: complianceRulesJson,
        EVENT_BUS_NAME: this.eventBus.eventBusName,
        POWERTOOLS_SERVICE_NAME: `${stack.stackName}-compliance`,
      },
    }).bindTable(this.table, COMPLIANCE_TABLE_ACCESS);
    // Findings are published to the same bus.
    this.eventBus.grantPutEventsTo(this.complianceFunction);

    this.complianceRule = new events.Rule(this, 'ComplianceCheckRule', {
      description: 'Session Archived events to the compliance check',
      eventBus: this.eventBus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [DETAIL_TYPE.sessionArchived] },
      // Delivery retries (throttled or unavailable Lambda) for a day, then the dead-letter queue.
      targets: [new targets.LambdaFunction(this.complianceFunction, { retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue: this.complianceDeadLetters })],
    });

    const schedule = props.schedule ?? events.Schedule.rate(Duration.minutes(15));
    const scheduleProblem = sweepScheduleProblem(schedule.expressionString, props.noSweepAlarmHours ?? 6);
    if (scheduleProblem) throw new Error(scheduleProblem);
    this.scheduleRule = new events.Rule(this, 'Schedule', {
      description: 'Runs the Session Archive sweeper',
      schedule,
      targets: [new targets.LambdaFunction(this.sweeper, { retryAttempts: 2, maxEventAge: Duration.hours(1), deadLetterQueue: this.failureQueue })],
    });

    // The HMAC key that binds nextToken to its query. Generated by Secrets Manager at deploy time
    // (never in the template or cdk.out) and resolved by CloudFormation into the function's
    // environment, which Lambda encrypts at rest.
    const tokenSecret = new secretsmanager.Secret(this, 'TokenSecret', {
      description: 'Session Archive: HMAC key for query API pagination tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });

    this.queryFunction = new ArchiveFunction(this, 'Query', {
      description: 'Session Archive query API',
      entry: 'lambdas/api/handler.ts',
      // API Gateway gives up after 29 s; every request does bounded work well inside that.
      timeout: Duration.seconds(29),
      memorySize: 1024,
      reservedConcurrentExecutions: reservedConcurrency('queryReservedConcurrency', props.queryReservedConcurrency),
      logRetention,
      logRemovalPolicy: removalPolicy,
      environment: { TOKEN_SECRET: tokenSecret.secretValue.unsafeUnwrap() },
    }).bindTable(this.table, QUERY_TABLE_ACCESS);

    const archiveApi = new ArchiveApi(this, 'QueryApi', {
      handler: this.queryFunction,
      throttle: props.apiThrottle,
      logRetention,
      removalPolicy,
      cloudWatchRole: props.apiGatewayCloudWatchRole,
    });
    this.api = archiveApi.api;
    this.auditorPolicy = archiveApi.auditorPolicy;

    this.alarms = new ArchiveAlarms(this, 'Alarms', {
      sweeper: this.sweeper,
      sweeperServiceName,
      api: this.api,
      watermarkAgeThreshold: props.watermarkAgeAlarmThreshold ?? Duration.days(7),
      noSweepAlarmHours: props.noSweepAlarmHours ?? 6,
      alarmEmail: props.alarmEmail,
      complianceDeadLetters: this.complianceDeadLetters,
      encryption: props.alarmTopicEncryption ?? false,
    });

    this.acknowledgeNagFindings(tokenSecret);
  }

  /** cdk-nag (AwsSolutions) findings this design accepts, each with its reason; the cdk-nag test fails on any other. */
  private acknowledgeNagFindings(tokenSecret: secretsmanager.Secret): void {
    for (const fn of [this.sweeper, this.queryFunction, this.complianceFunction]) {
      const policy = fn.role?.node.tryFindChild('DefaultPolicy');
      if (!policy) continue;
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          fn === this.sweeper
            ? 'Actions that accept no narrower resource: ssm:DescribeSessions has no resource-level permissions, and ' +
              'xray:PutTraceSegments/PutTelemetryRecords (active tracing) are account-level. No action is a wildcard.'
            : 'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) have no resource-level permissions.',
      });
    }
    Validations.of(tokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret is only the HMAC key of short-lived pagination tokens; rotating it would invalidate tokens in use ' +
        'and not reach the function (resolved at deploy). Replace it by redeploying if it ever leaks.',
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the sweeper and its schedule.',
    });
    Validations.of(this.complianceDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the compliance rule target and of the compliance function.',
    });
  }
}
