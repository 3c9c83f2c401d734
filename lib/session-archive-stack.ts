/** The deployable stack: one SessionArchive and the outputs an operator needs. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { SessionArchive, type SessionArchiveProps } from './session-archive';

export interface SessionArchiveStackProps extends StackProps {
  /**
   * Options of the SessionArchive construct (its key comes from `encryptionKeyArn`).
   * @default the construct's defaults
   */
  readonly archive?: Omit<SessionArchiveProps, 'encryptionKey'>;
  /**
   * ARN of an existing customer-managed KMS key for the archive table.
   * @default the AWS-managed key `aws/dynamodb`
   */
  readonly encryptionKeyArn?: string;
}

export class SessionArchiveStack extends Stack {
  readonly archive: SessionArchive;

  constructor(scope: Construct, id: string, props: SessionArchiveStackProps = {}) {
    super(scope, id, props);
    const encryptionKey = props.encryptionKeyArn ? kms.Key.fromKeyArn(this, 'ArchiveKey', props.encryptionKeyArn) : undefined;
    this.archive = new SessionArchive(this, 'SessionArchive', { ...props.archive, encryptionKey });

    new CfnOutput(this, 'ApiUrl', { value: this.archive.api.url, description: 'Query API base URL (SigV4, service execute-api)' });
    new CfnOutput(this, 'TableName', { value: this.archive.table.tableName, description: 'Archive table' });
    new CfnOutput(this, 'EventSource', { value: this.archive.eventSource, description: 'source of the EventBridge events' });
    new CfnOutput(this, 'AuditorPolicyArn', {
      value: this.archive.auditorPolicy.managedPolicyArn,
      description: 'Attach to auditors: execute-api:Invoke on the GET routes only',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.archive.alarms.topic.topicArn, description: 'SNS topic of the alarms' });
    new CfnOutput(this, 'SweepFailureQueueUrl', { value: this.archive.failureQueue.queueUrl, description: 'Failed sweeper invocations' });
    new CfnOutput(this, 'EventBusName', { value: this.archive.eventBus.eventBusName, description: 'EventBridge bus of the events (docs/events.md)' });
    new CfnOutput(this, 'ComplianceFailureQueueUrl', {
      value: this.archive.complianceDeadLetters.queueUrl,
      description: 'Session Archived events the compliance check failed on',
    });
  }
}
