/** The deployable stack: one SessionArchive and the outputs an operator needs. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { SessionArchive, type SessionArchiveProps } from './session-archive';

export interface SessionArchiveStackProps extends StackProps {
  /**
   * Options of the SessionArchive construct (its key comes from `encryptionKeyArn`).
   * @default the construct's defaults
   */
  readonly archive?: Omit<SessionArchiveProps, 'encryptionKey' | 'breakGlassRole'>;
  /**
   * ARN of an existing customer-managed KMS key for the archive table.
   * @default a key the stack creates (or `aws/dynamodb` with `archive.tableEncryption: 'aws-managed'`)
   */
  readonly encryptionKeyArn?: string;
  /**
   * ARN of a role that may write to the table besides the archive's functions (repairs).
   * @default none
   */
  readonly breakGlassRoleArn?: string;
}

export class SessionArchiveStack extends Stack {
  readonly archive: SessionArchive;

  constructor(scope: Construct, id: string, props: SessionArchiveStackProps = {}) {
    super(scope, id, props);
    const encryptionKey = props.encryptionKeyArn ? kms.Key.fromKeyArn(this, 'ArchiveKey', props.encryptionKeyArn) : undefined;
    // mutable: false — the role is the account's; the stack only names it in resource policies.
    const breakGlassRole = props.breakGlassRoleArn ? iam.Role.fromRoleArn(this, 'BreakGlassRole', props.breakGlassRoleArn, { mutable: false }) : undefined;
    this.archive = new SessionArchive(this, 'SessionArchive', { ...props.archive, encryptionKey, breakGlassRole });

    new CfnOutput(this, 'ApiUrl', { value: this.archive.api.url, description: 'Query API base URL (SigV4, service execute-api)' });
    new CfnOutput(this, 'TableName', { value: this.archive.table.tableName, description: 'Archive table' });
    new CfnOutput(this, 'EventSource', { value: this.archive.eventSource, description: 'source of the EventBridge events' });
    new CfnOutput(this, 'AuditorPolicyArn', {
      value: this.archive.auditorPolicy.managedPolicyArn,
      description: 'Attach to auditors (who must also match auditorRoleArns or auditorPrincipalTag): execute-api:Invoke on the GET routes only',
    });
    if (this.archive.tableKey) {
      new CfnOutput(this, 'TableKeyArn', { value: this.archive.tableKey.key.keyArn, description: 'KMS key of the archive table' });
    }
    new CfnOutput(this, 'TokenSecretArn', { value: this.archive.tokenSecret.secretArn, description: 'Pagination token key (rotate with put-secret-value)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.archive.alarms.topic.topicArn, description: 'SNS topic of the alarms' });
    new CfnOutput(this, 'SweepFailureQueueUrl', { value: this.archive.failureQueue.queueUrl, description: 'Failed sweeper invocations' });
    if (this.archive.fanOut) {
      new CfnOutput(this, 'SweeperRoleArn', { value: this.archive.sweeper.role?.roleArn ?? '', description: 'The principal member roles trust (HubSweeperRoleArn of docs/member-role.yaml)' });
      new CfnOutput(this, 'TargetQueueUrl', { value: this.archive.fanOut.queue.queueUrl, description: 'One message per planned target sweep' });
      new CfnOutput(this, 'TargetDeadLetterQueueUrl', { value: this.archive.fanOut.deadLetterQueue.queueUrl, description: 'Target sweeps that failed three times in a row (redrive after a fix)' });
    }
    new CfnOutput(this, 'EvidenceLocation', {
      value: `s3://${this.archive.evidence.bucket.bucketName}/${this.archive.evidence.prefix}`,
      description: 'Signed evidence of every archived state (Object Lock, compliance mode): session-archive verify --evidence <this>',
    });
    new CfnOutput(this, 'EvidenceSigningKeyId', { value: this.archive.evidence.signingKey.keyId, description: 'KMS key that signs the evidence (aws kms get-public-key)' });
    new CfnOutput(this, 'EventBusName', { value: this.archive.eventBus.eventBusName, description: 'EventBridge bus of the events (docs/events.md)' });
    new CfnOutput(this, 'ComplianceFailureQueueUrl', {
      value: this.archive.complianceDeadLetters.queueUrl,
      description: 'Session Archived events the compliance check failed on',
    });
  }
}
