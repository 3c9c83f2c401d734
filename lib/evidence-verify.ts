/**
 * The scheduled verify: a function that walks every evidence chain and the archive table (the
 * same core as `session-archive verify`), publishes `Archive Integrity Violation` when anything
 * does not hold, and reports a metric the integrity alarm watches. It reads; it never writes the
 * table or the bucket, and cannot sign.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ArchiveFunction } from './archive-function';
import type { Evidence } from './evidence';
import { VERIFY_TABLE_ACCESS } from './table-access';

export interface EvidenceVerifyProps {
  readonly evidence: Evidence;
  readonly table: ITable;
  readonly eventBusName: string;
  /** When the verify runs. @default once a day */
  readonly schedule?: events.Schedule;
  /** The `service` dimension of its metrics and logs. */
  readonly serviceName: string;
  /** Where failed schedule deliveries go. */
  readonly failureQueue: sqs.IQueue;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
}

export class EvidenceVerify extends Construct {
  readonly function: ArchiveFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: EvidenceVerifyProps) {
    super(scope, id);
    this.function = new ArchiveFunction(this, 'Function', {
      description: 'Verifies the Session Archive evidence chains against the archive table',
      entry: 'lambdas/verify/handler.ts',
      // A full walk: every evidence object and every record, tens of thousands a minute.
      timeout: Duration.minutes(15),
      memorySize: 1024,
      // No async retries: the next scheduled run verifies everything again.
      retryAttempts: 0,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      environment: {
        EVIDENCE_BUCKET: props.evidence.bucket.bucketName,
        EVIDENCE_PREFIX: props.evidence.prefix,
        EVENT_BUS_NAME: props.eventBusName,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
      },
    }).bindTable(props.table, VERIFY_TABLE_ACCESS);
    const role = this.function.role;
    if (!role) throw new Error(`${this.function.node.path} has no execution role`);
    props.evidence.grantVerify(role);
    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Runs the Session Archive evidence verify',
      schedule: props.schedule ?? events.Schedule.rate(Duration.days(1)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.hours(1), deadLetterQueue: props.failureQueue })],
    });
  }
}
