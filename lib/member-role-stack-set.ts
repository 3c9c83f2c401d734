/**
 * The member role, deployed for the user into every account of the configured OUs by a
 * service-managed StackSet (auto-deployed to accounts that join them). The role is IAM, which is
 * global: one stack instance per account, in the hub's region.
 */
import { Stack } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { OrganizationTargetsConfig } from '../lambdas/core/targets/targets';
import { MEMBER_ROLE_PARAMETERS, memberRoleTemplateYaml } from './member-role-template';

export interface MemberRoleStackSetProps {
  readonly organization: OrganizationTargetsConfig;
  /** The only principal the member role trusts. */
  readonly sweeperRole: iam.IRole;
  readonly organizationId?: string;
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  readonly retainStacksOnAccountRemoval: boolean;
}

export class MemberRoleStackSet extends Construct {
  readonly stackSet: cloudformation.CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberRoleStackSetProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { organization } = props;
    const P = MEMBER_ROLE_PARAMETERS;
    this.stackSet = new cloudformation.CfnStackSet(this, 'Resource', {
      stackSetName: `${stack.stackName}-member-role`,
      description: 'Session Archive: the member role the hub sweeper assumes (ssm:DescribeSessions only)',
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.callAs,
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: props.retainStacksOnAccountRemoval },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: { failureTolerancePercentage: 10, maxConcurrentPercentage: 25, regionConcurrencyType: 'PARALLEL' },
      templateBody: memberRoleTemplateYaml(),
      // An unset option is left to the template's empty default rather than passed as an empty value.
      parameters: [
        { parameterKey: P.hubSweeperRoleArn, parameterValue: props.sweeperRole.roleArn },
        ...(organization.externalId === undefined ? [] : [{ parameterKey: P.externalId, parameterValue: organization.externalId }]),
        ...(props.organizationId === undefined ? [] : [{ parameterKey: P.organizationId, parameterValue: props.organizationId }]),
        { parameterKey: P.roleName, parameterValue: organization.memberRoleName },
      ],
      stackInstancesGroup: [
        {
          deploymentTargets: {
            // StackSets takes the root id among the OU ids.
            organizationalUnitIds: organization.parentIds,
            ...(organization.excludeAccounts.length === 0 ? {} : { accounts: organization.excludeAccounts, accountFilterType: 'DIFFERENCE' }),
          },
          // IAM is global: one region is enough, and more would collide on the role name.
          regions: [stack.region],
        },
      ],
    });
  }
}
