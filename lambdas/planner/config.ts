/**
 * The planner's configuration, read and checked once at cold start; every problem reported at once.
 *
 *   TABLE_NAME              the archive table (sweep states, for the stale-target count)
 *   TARGET_QUEUE_URL        the queue the sweeper drains, one message per target
 *   TARGETS_CONFIG          the `organization` / `targets` context as JSON ({} = the hub alone)
 *   AWS_REGION              set by Lambda; the hub's region
 *   HUB_ACCOUNT_ID          optional: the hub's account (parsed from the function ARN when absent)
 *   STALE_AFTER_HOURS       a target whose last complete sweep is older is stale (default 6)
 *   ORGANIZATIONS_ENDPOINT, SQS_ENDPOINT, DYNAMODB_ENDPOINT   local endpoints
 */
import { parseTargetsConfig, TargetsConfigError, type TargetsConfig } from '../core/targets/targets';

export interface PlannerConfig {
  readonly tableName: string;
  readonly queueUrl: string;
  readonly targets: TargetsConfig;
  readonly region: string;
  readonly hubAccountId?: string;
  readonly staleAfterHours: number;
  readonly serviceName: string;
  readonly organizationsEndpoint?: string;
  readonly sqsEndpoint?: string;
  readonly dynamodbEndpoint?: string;
}

export class PlannerConfigError extends Error {
  override readonly name = 'PlannerConfigError';
}

export const DEFAULT_STALE_AFTER_HOURS = 6;

export function readPlannerConfig(env: Readonly<Record<string, string | undefined>>): PlannerConfig {
  const problems: string[] = [];
  const optional = (key: string): string | undefined => {
    const value = env[key]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const required = (key: string, what: string): string => optional(key) ?? (problems.push(`${key} is required: ${what}`), '');
  const tableName = required('TABLE_NAME', 'the archive table');
  const queueUrl = required('TARGET_QUEUE_URL', 'the queue the sweeper drains');
  const region = required('AWS_REGION', 'the hub region');
  const hubAccountId = optional('HUB_ACCOUNT_ID');
  if (hubAccountId !== undefined && !/^\d{12}$/.test(hubAccountId)) problems.push(`HUB_ACCOUNT_ID must be 12 digits, got "${hubAccountId}"`);
  const staleText = optional('STALE_AFTER_HOURS');
  const staleAfterHours = staleText === undefined ? DEFAULT_STALE_AFTER_HOURS : Number(staleText);
  if (!Number.isInteger(staleAfterHours) || staleAfterHours < 1) problems.push(`STALE_AFTER_HOURS must be a positive whole number of hours, got "${staleText}"`);
  let targets: TargetsConfig = { mode: 'hub' };
  try {
    targets = parseTargetsConfig(JSON.parse(optional('TARGETS_CONFIG') ?? '{}') as Record<string, unknown>);
  } catch (error: unknown) {
    problems.push(error instanceof TargetsConfigError || error instanceof SyntaxError ? `TARGETS_CONFIG: ${error.message}` : `TARGETS_CONFIG: ${String(error)}`);
  }
  if (problems.length > 0) throw new PlannerConfigError(`invalid planner configuration: ${problems.join('; ')}`);
  const endpoints = Object.fromEntries(
    (['organizationsEndpoint', 'sqsEndpoint', 'dynamodbEndpoint'] as const)
      .map((name) => [name, optional(name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase())] as const)
      .filter(([, value]) => value !== undefined),
  );
  return {
    tableName,
    queueUrl,
    targets,
    region,
    staleAfterHours,
    serviceName: optional('POWERTOOLS_SERVICE_NAME') ?? 'session-archive-planner',
    ...(hubAccountId === undefined ? {} : { hubAccountId }),
    ...endpoints,
  };
}
