/**
 * The member role every swept account needs: a plain CloudFormation template, built here once.
 * The StackSet deploys this very text (lib/member-role-stack-set.ts), and docs/member-role.yaml is
 * the same text for accounts that deploy it themselves (`npx tsx lib/write-member-role.ts` writes
 * it; test/infra/fan-out.test.ts fails when the two differ).
 */
import { DEFAULT_MEMBER_ROLE_NAME } from '../lambdas/core/targets/targets';

/** The template's parameters: what the StackSet passes, and what a user fills in. */
export const MEMBER_ROLE_PARAMETERS = {
  hubSweeperRoleArn: 'HubSweeperRoleArn',
  externalId: 'ExternalId',
  organizationId: 'OrganizationId',
  roleName: 'RoleName',
} as const;

const P = MEMBER_ROLE_PARAMETERS;
const ref = (name: string) => ({ Ref: name });

/** The trust statement's condition for each combination of the two optional checks. */
function trustCondition(): Record<string, unknown> {
  const externalId = { 'sts:ExternalId': ref(P.externalId) };
  const organization = { 'aws:PrincipalOrgID': ref(P.organizationId) };
  return {
    'Fn::If': [
      'HasExternalId',
      { 'Fn::If': ['HasOrganizationId', { StringEquals: { ...externalId, ...organization } }, { StringEquals: externalId }] },
      { 'Fn::If': ['HasOrganizationId', { StringEquals: organization }, ref('AWS::NoValue')] },
    ],
  };
}

/** The template as an object (CloudFormation's long intrinsic forms, so any YAML or JSON reader takes it). */
export function memberRoleTemplate(): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Session Archive member role: lets the hub sweeper list this account\'s Session Manager sessions (ssm:DescribeSessions) and nothing else',
    Parameters: {
      [P.hubSweeperRoleArn]: {
        Type: 'String',
        Description: 'ARN of the hub stack\'s sweeper role (the only principal this role trusts)',
        AllowedPattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$',
      },
      [P.externalId]: {
        Type: 'String',
        Description: 'The externalId of the hub configuration; empty for none',
        Default: '',
        AllowedPattern: '^([A-Za-z0-9+=,.@:/_-]{2,1224})?$',
      },
      [P.organizationId]: {
        Type: 'String',
        Description: 'The AWS Organizations id (o-...) the hub account belongs to; empty to skip the aws:PrincipalOrgID check',
        Default: '',
        AllowedPattern: '^(o-[a-z0-9]{10,32})?$',
      },
      [P.roleName]: {
        Type: 'String',
        Description: 'Name of the role: the memberRoleName of the hub configuration',
        Default: DEFAULT_MEMBER_ROLE_NAME,
        AllowedPattern: '^[A-Za-z0-9+=,.@_-]{1,64}$',
      },
    },
    Conditions: {
      HasExternalId: { 'Fn::Not': [{ 'Fn::Equals': [ref(P.externalId), ''] }] },
      HasOrganizationId: { 'Fn::Not': [{ 'Fn::Equals': [ref(P.organizationId), ''] }] },
    },
    Resources: {
      MemberRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: ref(P.roleName),
          Description: 'Session Archive: the hub sweeper lists Session Manager sessions here',
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'HubSweeperOnly',
                Effect: 'Allow',
                Principal: { AWS: ref(P.hubSweeperRoleArn) },
                Action: 'sts:AssumeRole',
                Condition: trustCondition(),
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'DescribeSessionsOnly',
              PolicyDocument: {
                Version: '2012-10-17',
                // DescribeSessions has no resource-level permissions: `*` is the only resource it accepts.
                Statement: [{ Effect: 'Allow', Action: 'ssm:DescribeSessions', Resource: '*' }],
              },
            },
          ],
        },
      },
    },
    Outputs: {
      MemberRoleArn: { Description: 'The role the hub sweeper assumes', Value: { 'Fn::GetAtt': ['MemberRole', 'Arn'] } },
    },
  };
}

const HEADER = [
  '# Session Archive member role: deploy it in every account the hub sweeps, in any one region (IAM',
  '# is global). The hub deploys it for you through a StackSet in organisation mode; otherwise:',
  '#   aws cloudformation deploy --template-file docs/member-role.yaml --stack-name session-archive-member \\',
  '#     --capabilities CAPABILITY_NAMED_IAM --parameter-overrides HubSweeperRoleArn=<SweeperRoleArn output> \\',
  '#     ExternalId=<externalId or empty> OrganizationId=<o-... or empty>',
  '# Generated from lib/member-role-template.ts (npx tsx lib/write-member-role.ts); do not edit by hand.',
];

/** The template as YAML text: what the StackSet deploys and docs/member-role.yaml holds. */
export function memberRoleTemplateYaml(): string {
  return `${[...HEADER, ...yamlLines(memberRoleTemplate(), 0)].join('\n')}\n`;
}

/** Every string single-quoted, every key plain only when it is a bare word: no YAML reader can misread a value. */
function yamlLines(value: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}[]`];
    return value.flatMap((item) => {
      const [first = '', ...rest] = isBlock(item) ? yamlLines(item, indent + 2) : [`${pad}  ${scalar(item)}`];
      return [`${pad}- ${first.slice(indent + 2)}`, ...rest];
    });
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([key, item]) => (isBlock(item) ? [`${pad}${yamlKey(key)}:`, ...yamlLines(item, indent + 2)] : [`${pad}${yamlKey(key)}: ${scalar(item)}`]));
  }
  return [`${pad}${scalar(value)}`];
}

function isBlock(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0);
}

function yamlKey(key: string): string {
  return /^[A-Za-z0-9_]+$/.test(key) ? key : scalar(key);
}

function scalar(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object' && value !== null) return '{}';
  throw new TypeError(`cannot write ${String(value)} as YAML`);
}
