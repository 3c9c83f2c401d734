/**
 * The compliance function's configuration, read and checked once at cold start, every problem
 * named at once: a broken rule set fails the first invocation (and lands in the dead-letter queue,
 * whose alarm fires), never silently checks nothing.
 *
 *   TABLE_NAME               required: the archive table (findings are written there).
 *   AWS_REGION               set by Lambda.
 *   EVENT_BUS_NAME           required: where `Session Compliance Finding` events go.
 *   COMPLIANCE_RULES         JSON of the rules (cdk.json `compliance`); absent or `{}`: no rule is on.
 *   DYNAMODB_ENDPOINT, EVENTS_ENDPOINT  optional local endpoints (tests, the artifact test).
 *   POWERTOOLS_SERVICE_NAME  the `service` of logs and metrics (default session-archive-compliance).
 */
import { ComplianceConfigError, parseComplianceRules, type CompiledRules } from '../core/compliance/rules';
import { EnvReader } from '../core/shared/env';

export const DEFAULT_SERVICE_NAME = 'session-archive-compliance';
const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;
const EVENT_BUS_PATTERN = /^(arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/)?[A-Za-z0-9._\-/]{1,256}$/;

export interface ComplianceConfig {
  tableName: string;
  region: string;
  eventBusName: string;
  rules: CompiledRules;
  dynamodbEndpoint?: string;
  eventsEndpoint?: string;
  serviceName: string;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export function readComplianceConfig(env: Readonly<Record<string, string | undefined>>): ComplianceConfig {
  const read = new EnvReader(env);
  const tableName = read.requiredMatching('TABLE_NAME', TABLE_NAME_PATTERN, 'a DynamoDB table name') ?? '';
  const region = read.requiredMatching('AWS_REGION', /^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS Region') ?? '';
  const eventBusName = read.requiredMatching('EVENT_BUS_NAME', EVENT_BUS_PATTERN, 'an EventBridge bus name or ARN') ?? '';
  const dynamodbEndpoint = read.httpUrl('DYNAMODB_ENDPOINT');
  const eventsEndpoint = read.httpUrl('EVENTS_ENDPOINT');
  let rules: CompiledRules | undefined;
  const rulesText = read.optional('COMPLIANCE_RULES');
  try {
    rules = parseComplianceRules(rulesText === undefined ? {} : JSON.parse(rulesText), 'COMPLIANCE_RULES');
  } catch (error: unknown) {
    if (error instanceof SyntaxError) read.problem(`COMPLIANCE_RULES is not JSON: ${error.message}`);
    else if (error instanceof ComplianceConfigError) read.problem(error.message);
    else throw error;
  }

  read.throwIfProblems((problems) => new ConfigurationError(`invalid compliance function configuration: ${problems}`));
  if (rules === undefined) throw new ConfigurationError('invalid compliance function configuration');
  return {
    tableName,
    region,
    eventBusName,
    rules,
    serviceName: read.optional('POWERTOOLS_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME,
    ...(dynamodbEndpoint === undefined ? {} : { dynamodbEndpoint }),
    ...(eventsEndpoint === undefined ? {} : { eventsEndpoint }),
  };
}
