/**
 * cdk-nag (AwsSolutions) findings the archive's design accepts, each with its reason; the cdk-nag
 * test fails on any other, and on an acknowledgement that silences nothing.
 */
import { Validations } from 'aws-cdk-lib';
import type { SessionArchive } from './session-archive';

export function acknowledgeNagFindings(archive: SessionArchive): void {
  const planner = archive.fanOut?.planner;
  for (const fn of [archive.sweeper, archive.queryFunction, archive.complianceFunction, archive.verify.function, ...(planner ? [planner] : [])]) {
    const policy = fn.role?.node.tryFindChild('DefaultPolicy');
    if (!policy) continue;
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        fn === archive.sweeper
          ? 'Actions that accept no narrower resource: ssm:DescribeSessions has no resource-level permissions, and ' +
            'xray:PutTraceSegments/PutTelemetryRecords (active tracing) are account-level. No action is a wildcard.'
          : fn === planner
            ? 'xray:PutTraceSegments/PutTelemetryRecords (active tracing) and the Organizations List* calls of account discovery ' +
              'accept no resource but *. No action is a wildcard.'
            : 'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) have no resource-level permissions.',
    });
  }
  if (archive.sweeper.role) archive.evidence.acknowledgePrefixGrant(archive.sweeper.role, 'The sweeper may put (never overwrite: If-None-Match) and read back');
  if (archive.verify.function.role) archive.evidence.acknowledgePrefixGrant(archive.verify.function.role, 'The verify may only read and list');
  const memberRoleName = archive.fanOut?.organizationMemberRoleName;
  const sweeperPolicy = archive.sweeper.role?.node.tryFindChild('DefaultPolicy');
  if (memberRoleName !== undefined && sweeperPolicy) {
    Validations.of(sweeperPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${memberRoleName}]`,
      reason:
        'The member role in any account the planner discovers (accounts join the OUs at any time): sts:AssumeRole on that one ' +
        'role name only, and only in the organisation (aws:ResourceOrgID).',
    });
  }
  Validations.of(archive.tokenSecret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The secret is the HMAC key of pagination tokens that expire within a day; it is rotated by hand when needed ' +
      '(put-secret-value, docs/operations.md "Security model"), the function accepting the current and previous key.',
  });
  Validations.of(archive.failureQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter destination of the sweeper and its schedule.',
  });
  Validations.of(archive.complianceDeadLetters).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter destination of the compliance rule target and of the compliance function.',
  });
}
