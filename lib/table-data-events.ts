/**
 * CloudTrail data events for the archive table (opt-in): every GetItem, Query, PutItem, UpdateItem
 * and DeleteItem on it, by whom, in a trail of its own, so reads of the archive outside the API
 * are on record too. Billed per event (docs/operations.md, "Security model").
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface TableDataEventsProps {
  readonly table: dynamodb.ITable;
  /**
   * What happens to the log bucket when it leaves the stack.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class TableDataEvents extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: TableDataEventsProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      // Replaced versions are kept a year, long enough for any review of a changed log file.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(365) }],
    });
    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName: `${Stack.of(this).stackName}-table-data-events`,
      bucket: this.bucket,
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
      enableFileValidation: true,
    });
    // Data events of this table only; no management events (the account's own trail has those).
    const cfnTrail = this.trail.node.defaultChild as cloudtrail.CfnTrail;
    cfnTrail.advancedEventSelectors = [
      {
        name: 'Session Archive table data events',
        fieldSelectors: [
          { field: 'eventCategory', equalTo: ['Data'] },
          { field: 'resources.type', equalTo: ['AWS::DynamoDB::Table'] },
          { field: 'resources.ARN', equalTo: [props.table.tableArn] },
        ],
      },
    ];
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only this trail\'s log files, written by CloudTrail with file validation on; access logs of the ' +
        'log bucket would need a bucket of their own. Reads of it are in the account\'s management trail.',
    });
  }
}
