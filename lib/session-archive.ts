/**
 * SessionArchive: the whole product as one reusable construct. It composes the archive table,
 * the scheduled sweeper (for more targets than the hub: the planner, its SQS fan-out and the
 * member role StackSet), the query API, the auditor policy, the event bus with the compliance
 * check, and the alarms; all behaviour lives in lambdas/, all defaults are here, each overridable
 * through props.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DETAIL_TYPE, EVENT_SOURCE as SOURCE_OF_EVENTS } from '../lambdas/core/events/event-types';
import { DEFAULT_AUDITOR_TAG } from './api-access';
import { ArchiveAlarms } from './archive-alarms';
import { ArchiveApi } from './archive-api';
import { ArchiveFunction } from './archive-function';
import { ArchiveKey } from './archive-key';
import { ArchiveTable } from './archive-table';
import { grantPublish, restrictPublishers } from './event-publishers';
import { MemberRoleStackSet } from './member-role-stack-set';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { maxScheduleIntervalMinutes } from './schedule-expression';
import type { SessionArchiveProps } from './session-archive-props';
import { checkedSettings, deadLetterQueue, reservedConcurrency, type Settings } from './session-archive-settings';
import { COMPLIANCE_TABLE_ACCESS, QUERY_TABLE_ACCESS, SWEEPER_DELETES, SWEEPER_TABLE_ACCESS } from './table-access';
import { TableDataEvents } from './table-data-events';
import { checkedFanOutConcurrency, TargetFanOut } from './target-fan-out';
import { Evidence } from './evidence';
import { EvidenceVerify } from './evidence-verify';

export type { SessionArchiveProps } from './session-archive-props';
export { DEFAULT_EVENT_BUS_NAME, SSM_HISTORY_DAYS } from './session-archive-settings';

/** The `source` of every event Session Archive puts on EventBridge (DESIGN.md, Events). */
export const EVENT_SOURCE = SOURCE_OF_EVENTS;

/** What each publisher may put on the bus (docs/events.md). */
const SWEEPER_DETAIL_TYPES = [DETAIL_TYPE.sessionArchived, DETAIL_TYPE.sweepCompleted, DETAIL_TYPE.coverageGapDetected, DETAIL_TYPE.targetSweepFailed];
const COMPLIANCE_DETAIL_TYPES = [DETAIL_TYPE.complianceFinding];
const VERIFY_DETAIL_TYPES = [DETAIL_TYPE.archiveIntegrityViolation];
export class SessionArchive extends Construct {
  readonly table: dynamodb.Table;
  /** The table's customer-managed key, when the stack created it. */
  readonly tableKey?: ArchiveKey;
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
  /** The HMAC key of the query API's pagination tokens. */
  readonly tokenSecret: secretsmanager.Secret;
  /** CloudTrail data events of the table, when `tableDataEvents` is on. */
  readonly tableDataEvents?: TableDataEvents;
  /** The planner, the target queue and its dead-letter queue, when the archive sweeps more than its own account. */
  readonly fanOut?: TargetFanOut;
  /** The member role's StackSet, in organisation mode unless turned off. */
  readonly memberRoleStackSet?: MemberRoleStackSet;
  /** The Object Lock bucket of the evidence and the key that signs it. */
  readonly evidence: Evidence;
  /** The scheduled verify of the evidence chains against the table. */
  readonly verify: EvidenceVerify;

  constructor(scope: Construct, id: string, props: SessionArchiveProps = {}) {
    super(scope, id);
    const settings = checkedSettings(props, Stack.of(this).stackName);

    // A key of the stack's own unless told otherwise: its policy can name what each role may do,
    // which the AWS-managed aws/dynamodb key's policy cannot.
    this.tableKey = props.encryptionKey || props.tableEncryption === 'aws-managed' ? undefined : new ArchiveKey(this, 'ArchiveKey', { removalPolicy: settings.removalPolicy });
    const archiveTable = new ArchiveTable(this, 'Archive', {
      encryptionKey: props.encryptionKey ?? this.tableKey?.key,
      expireItems: props.retentionDays !== undefined,
      removalPolicy: settings.removalPolicy,
      deletionProtection: props.deletionProtection,
    });
    this.table = archiveTable.table;

    this.failureQueue = deadLetterQueue(this, 'SweepFailures');
    this.sweeper = this.createSweeper(props, settings);
    this.evidence = new Evidence(this, 'Evidence', { retentionDays: props.evidenceRetentionDays });
    this.evidence.grantWrite(this.roleOf(this.sweeper));
    for (const [name, value] of Object.entries(this.evidence.environment())) this.sweeper.addEnvironment(name, value);
    // A dedicated bus by default: rules other applications keep on the default bus never see
    // session data by accident.
    this.eventBus =
      settings.eventBusName === 'default'
        ? events.EventBus.fromEventBusName(this, 'EventBus', 'default')
        : new events.EventBus(this, 'EventBus', { eventBusName: settings.eventBusName, description: 'Session Archive: Session Archived, Sweep Completed, Coverage Gap Detected, Session Compliance Finding' });
    grantPublish(this.sweeper, this.eventBus, EVENT_SOURCE, SWEEPER_DETAIL_TYPES);
    this.sweeper.addEnvironment('EVENT_BUS_NAME', this.eventBus.eventBusName);
    this.fanOut = this.createFanOut(props, settings);

    this.complianceDeadLetters = deadLetterQueue(this, 'ComplianceFailures');
    this.complianceFunction = this.createComplianceCheck(settings);
    this.verify = new EvidenceVerify(this, 'Verify', {
      evidence: this.evidence,
      table: this.table,
      eventBusName: this.eventBus.eventBusName,
      ...(props.verifySchedule ? { schedule: props.verifySchedule } : {}),
      serviceName: settings.verifyServiceName,
      failureQueue: this.failureQueue,
      logRetention: settings.logRetention,
      logRemovalPolicy: settings.removalPolicy,
    });
    grantPublish(this.verify.function, this.eventBus, EVENT_SOURCE, VERIFY_DETAIL_TYPES);
    restrictPublishers(this, this.eventBus, EVENT_SOURCE, [
      { name: 'Sweeper', role: this.roleOf(this.sweeper), detailTypes: SWEEPER_DETAIL_TYPES },
      { name: 'Compliance', role: this.roleOf(this.complianceFunction), detailTypes: COMPLIANCE_DETAIL_TYPES },
      { name: 'Verify', role: this.roleOf(this.verify.function), detailTypes: VERIFY_DETAIL_TYPES },
    ]);
    this.complianceRule = new events.Rule(this, 'ComplianceCheckRule', {
      description: 'Session Archived events to the compliance check',
      eventBus: this.eventBus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [DETAIL_TYPE.sessionArchived] },
      // Delivery retries (throttled or unavailable Lambda) for a day, then the dead-letter queue.
      targets: [new targets.LambdaFunction(this.complianceFunction, { retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue: this.complianceDeadLetters })],
    });
    // The hub alone: the schedule runs the sweeper on the hub's own account and region, as it always has.
    // More targets: it runs the planner, which queues one sweep per target.
    this.scheduleRule = new events.Rule(this, 'Schedule', {
      description: this.fanOut ? 'Runs the Session Archive planner' : 'Runs the Session Archive sweeper',
      schedule: settings.schedule,
      targets: [new targets.LambdaFunction(this.fanOut?.planner ?? this.sweeper, { retryAttempts: 2, maxEventAge: Duration.hours(1), deadLetterQueue: this.failureQueue })],
    });

    // The HMAC key that binds nextToken to its query. Generated by Secrets Manager at deploy time
    // (never in the template or cdk.out); the function reads it at cold start, so it is not in
    // the function's configuration, where lambda:GetFunctionConfiguration would show it.
    this.tokenSecret = new secretsmanager.Secret(this, 'TokenSecret', {
      description: 'Session Archive: HMAC key for query API pagination tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.queryFunction = this.createQueryFunction(props, settings);
    this.protectTable(archiveTable, props);

    const archiveApi = new ArchiveApi(this, 'QueryApi', {
      handler: this.queryFunction,
      throttle: props.apiThrottle,
      logRetention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
      cloudWatchRole: props.apiGatewayCloudWatchRole,
      auditors: props.auditors ?? { principalTag: DEFAULT_AUDITOR_TAG },
    });
    this.api = archiveApi.api;
    this.auditorPolicy = archiveApi.auditorPolicy;

    this.alarms = new ArchiveAlarms(this, 'Alarms', {
      sweeper: this.sweeper,
      sweeperServiceName: settings.sweeperServiceName,
      api: this.api,
      watermarkAgeThreshold: props.watermarkAgeAlarmThreshold ?? Duration.days(7),
      noSweepAlarmHours: props.noSweepAlarmHours ?? 6,
      alarmEmail: props.alarmEmail,
      complianceDeadLetters: this.complianceDeadLetters,
      verify: { function: this.verify.function, serviceName: settings.verifyServiceName },
      encryption: props.alarmTopicEncryption ?? false,
      recordCapAlarm: (settings.targets.alibaba ?? []).length > 0,
      ...(this.fanOut
        ? {
            fanOut: {
              plannerServiceName: settings.plannerServiceName,
              deadLetters: this.fanOut.deadLetterQueue,
              // The planner reports at every run: a period that holds at least one run.
              staleTargetsPeriod: Duration.hours(Math.max(1, Math.ceil(maxScheduleIntervalMinutes(settings.schedule.expressionString) / 60))),
            },
          }
        : {}),
    });
    if (settings.targets.mode === 'organization' && props.memberRoleStackSet?.enabled !== false) {
      this.memberRoleStackSet = new MemberRoleStackSet(this, 'MemberRoleStackSet', {
        organization: settings.targets,
        sweeperRole: this.roleOf(this.sweeper),
        ...(props.organizationId === undefined ? {} : { organizationId: props.organizationId }),
        callAs: props.memberRoleStackSet?.callAs ?? 'SELF',
        retainStacksOnAccountRemoval: props.memberRoleStackSet?.retainStacksOnAccountRemoval ?? false,
      });
    }

    if (props.tableDataEvents) this.tableDataEvents = new TableDataEvents(this, 'TableDataEvents', { table: this.table, removalPolicy: settings.removalPolicy });
    acknowledgeNagFindings(this);
  }

  private createSweeper(props: SessionArchiveProps, settings: Settings): ArchiveFunction {
    const sweeper = new ArchiveFunction(this, 'Sweeper', {
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
      logRetention: settings.logRetention,
      logRemovalPolicy: settings.removalPolicy,
      environment: {
        ACCOUNT_ID: Stack.of(this).account,
        POWERTOOLS_SERVICE_NAME: settings.sweeperServiceName,
        ...(props.retentionDays === undefined ? {} : { RETENTION_DAYS: String(props.retentionDays) }),
        OVERLAP_MINUTES: String(settings.overlapMinutes),
        RECONCILE_EVERY_HOURS: String(settings.reconcileEveryHours),
      },
    }).bindTable(this.table, SWEEPER_TABLE_ACCESS);
    // DescribeSessions has no resource-level permissions: `*` is the only resource it accepts.
    sweeper.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:DescribeSessions'], resources: ['*'] }));
    return sweeper;
  }

  /** The planner and the target queue, unless the archive sweeps the hub alone. */
  private createFanOut(props: SessionArchiveProps, settings: Settings): TargetFanOut | undefined {
    const targetsConfig = settings.targets;
    // Alibaba Cloud accounts are targets too: beside the hub alone, they need the planner.
    if (targetsConfig.mode === 'hub' && (targetsConfig.alibaba ?? []).length === 0) return undefined;
    const concurrency = checkedFanOutConcurrency(props.fanOutConcurrency);
    if (props.sweeperReservedConcurrency !== undefined && props.sweeperReservedConcurrency < concurrency) {
      throw new Error(`sweeperReservedConcurrency (${props.sweeperReservedConcurrency}) must be at least fanOutConcurrency (${concurrency}), or the target sweeps are throttled`);
    }
    return new TargetFanOut(this, 'FanOut', {
      targets: targetsConfig,
      sweeper: this.sweeper,
      table: this.table,
      concurrency,
      ...(props.organizationId === undefined ? {} : { organizationId: props.organizationId }),
      failureQueue: this.failureQueue,
      staleAfterHours: props.noSweepAlarmHours ?? 6,
      plannerServiceName: settings.plannerServiceName,
      logRetention: settings.logRetention,
      logRemovalPolicy: settings.removalPolicy,
    });
  }

  private createComplianceCheck(settings: Settings): ArchiveFunction {
    const check = new ArchiveFunction(this, 'Compliance', {
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
      logRetention: settings.logRetention,
      logRemovalPolicy: settings.removalPolicy,
      environment: {
        COMPLIANCE_RULES: settings.complianceRulesJson,
        EVENT_BUS_NAME: this.eventBus.eventBusName,
        POWERTOOLS_SERVICE_NAME: `${Stack.of(this).stackName}-compliance`,
      },
    }).bindTable(this.table, COMPLIANCE_TABLE_ACCESS);
    // Findings are published to the same bus.
    grantPublish(check, this.eventBus, EVENT_SOURCE, COMPLIANCE_DETAIL_TYPES);
    return check;
  }

  private createQueryFunction(props: SessionArchiveProps, settings: Settings): ArchiveFunction {
    const query = new ArchiveFunction(this, 'Query', {
      description: 'Session Archive query API',
      entry: 'lambdas/api/handler.ts',
      // API Gateway gives up after 29 s; every request does bounded work well inside that.
      timeout: Duration.seconds(29),
      memorySize: 1024,
      reservedConcurrentExecutions: reservedConcurrency('queryReservedConcurrency', props.queryReservedConcurrency),
      logRetention: settings.logRetention,
      logRemovalPolicy: settings.removalPolicy,
      environment: {
        TOKEN_SECRET_ARN: this.tokenSecret.secretArn,
        ...(settings.tokenTtlSeconds === undefined ? {} : { TOKEN_TTL_SECONDS: String(settings.tokenTtlSeconds) }),
      },
    }).bindTable(this.table, QUERY_TABLE_ACCESS);
    // The current key signs, the previous one still verifies: a rotation does not break pages in flight.
    query.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.tokenSecret.secretArn],
        conditions: { 'ForAnyValue:StringEquals': { 'secretsmanager:VersionStage': ['AWSCURRENT', 'AWSPREVIOUS'] } },
      }),
    );
    return query;
  }

  /**
   * Only the archive writes the archive: the table's resource policy denies data writes to every
   * other principal, and the stack's key lets each role do only what it needs, through DynamoDB.
   */
  private protectTable(archiveTable: ArchiveTable, props: SessionArchiveProps): void {
    archiveTable.allowWritesOnlyBy({
      writers: [this.roleOf(this.sweeper), this.roleOf(this.complianceFunction)],
      deleters: [{ role: this.roleOf(this.sweeper), partitionKeys: SWEEPER_DELETES }],
      ...(props.breakGlassRole ? { breakGlass: props.breakGlassRole } : {}),
    });
    if (!this.tableKey) return;
    this.tableKey.grantThroughDynamoDb(this.roleOf(this.sweeper), true, 'SweeperReadsAndWrites');
    this.tableKey.grantThroughDynamoDb(this.roleOf(this.complianceFunction), true, 'ComplianceReadsAndWrites');
    this.tableKey.grantThroughDynamoDb(this.roleOf(this.queryFunction), false, 'QueryReadsOnly');
    this.tableKey.grantThroughDynamoDb(this.roleOf(this.verify.function), false, 'VerifyReadsOnly');
    if (this.fanOut) this.tableKey.grantThroughDynamoDb(this.roleOf(this.fanOut.planner), false, 'PlannerReadsOnly');
    if (props.breakGlassRole) this.tableKey.grantThroughDynamoDb(props.breakGlassRole, true, 'BreakGlassReadsAndWrites');
  }

  private roleOf(fn: ArchiveFunction): iam.IRole {
    if (!fn.role) throw new Error(`${fn.node.path} has no execution role`);
    return fn.role;
  }
}
