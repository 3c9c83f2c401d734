/**
 * The SessionArchive construct's props after their checks, with the defaults filled in. Checked
 * once, before anything is built; cdk.json's reader (app-config.ts) checks the same values with
 * messages naming the context keys, so a construct used on its own still gets these.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { parseComplianceRules } from '../lambdas/core/compliance/rules';
import { parseTargetsConfig, toRawTargetsContext, type TargetsConfig } from '../lambdas/core/targets/targets';
import { sweepScheduleProblem } from './schedule-expression';
import type { SessionArchiveProps } from './session-archive-props';

/** The dedicated bus the construct creates unless told otherwise. */
export const DEFAULT_EVENT_BUS_NAME = 'session-archive';
/** Lambda allows 4 KB of environment in all; the rules must leave room for the rest. */
const MAX_COMPLIANCE_RULES_JSON = 3000;
/** How long SSM keeps Session Manager history; the archive's retention may not be shorter. */
export const SSM_HISTORY_DAYS = 30;

/** The query function's TOKEN_TTL_SECONDS range. */
const TOKEN_TTL_SECONDS = { min: 60, max: 604_800 };

/** Reserved concurrency is off (undefined) or a whole number of at least 1. */
export function reservedConcurrency(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new Error(`${name} must be a whole number of at least 1, or undefined for no reserved concurrency; got ${value}`);
  }
  return value;
}

/** The props after their checks, with the defaults filled in. */
export interface Settings {
  removalPolicy: RemovalPolicy;
  logRetention: logs.RetentionDays;
  sweeperServiceName: string;
  plannerServiceName: string;
  verifyServiceName: string;
  /** The targets, checked again by the code the planner runs. */
  targets: TargetsConfig;
  complianceRulesJson: string;
  eventBusName: string;
  tokenTtlSeconds?: number;
  schedule: events.Schedule;
  /** The sweeper's OVERLAP_MINUTES and RECONCILE_EVERY_HOURS. */
  overlapMinutes: number;
  reconcileEveryHours: number;
}

export function checkedSettings(props: SessionArchiveProps, stackName: string): Settings {
  if (props.retentionDays !== undefined && (!Number.isInteger(props.retentionDays) || props.retentionDays < SSM_HISTORY_DAYS)) {
    throw new Error(`retentionDays must be a whole number of at least ${SSM_HISTORY_DAYS} (SSM's own history), got ${props.retentionDays}`);
  }
  const complianceRulesJson = JSON.stringify(parseComplianceRules(props.complianceRules ?? {}, 'complianceRules').config);
  if (complianceRulesJson.length > MAX_COMPLIANCE_RULES_JSON) {
    throw new Error(`complianceRules take ${complianceRulesJson.length} characters as JSON; at most ${MAX_COMPLIANCE_RULES_JSON} fit the function's environment (use target patterns with *)`);
  }
  const eventBusName = props.eventBusName ?? DEFAULT_EVENT_BUS_NAME;
  if (!/^[A-Za-z0-9._-]{1,256}$/.test(eventBusName)) throw new Error(`eventBusName must be 1-256 of A-Z a-z 0-9 . _ -, got ${JSON.stringify(eventBusName)}`);
  const tokenTtlSeconds = props.tokenTtl?.toSeconds();
  if (tokenTtlSeconds !== undefined && !(tokenTtlSeconds >= TOKEN_TTL_SECONDS.min && tokenTtlSeconds <= TOKEN_TTL_SECONDS.max)) {
    throw new Error(`tokenTtl must be ${TOKEN_TTL_SECONDS.min} seconds to 7 days, got ${tokenTtlSeconds} seconds`);
  }
  if (props.encryptionKey && props.tableEncryption === 'aws-managed') throw new Error('encryptionKey and tableEncryption "aws-managed" contradict each other: give one');
  const schedule = props.schedule ?? events.Schedule.rate(Duration.minutes(15));
  const scheduleProblem = sweepScheduleProblem(schedule.expressionString, props.noSweepAlarmHours ?? 6);
  if (scheduleProblem) throw new Error(scheduleProblem);
  const overlapMinutes = props.historyOverlap?.toMinutes() ?? 60;
  if (!Number.isInteger(overlapMinutes) || overlapMinutes < 1 || overlapMinutes > 1440) throw new Error(`historyOverlap must be whole minutes from 1 to 1440, got ${overlapMinutes}`);
  const reconcileEveryHours = props.reconcileEvery?.toHours() ?? 24;
  if (!Number.isInteger(reconcileEveryHours) || reconcileEveryHours < 1 || reconcileEveryHours > 168) throw new Error(`reconcileEvery must be whole hours from 1 to 168, got ${reconcileEveryHours}`);
  return {
    overlapMinutes,
    reconcileEveryHours,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    sweeperServiceName: `${stackName}-sweeper`,
    plannerServiceName: `${stackName}-planner`,
    verifyServiceName: `${stackName}-verify`,
    targets: checkedTargets(props),
    complianceRulesJson,
    eventBusName,
    ...(tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds }),
    schedule,
  };
}

/** The targets as the planner will read them; organisation-only options refused elsewhere. */
function checkedTargets(props: SessionArchiveProps): TargetsConfig {
  const targets = parseTargetsConfig(toRawTargetsContext(props.targets ?? { mode: 'hub' }));
  if (props.organizationId !== undefined) {
    if (targets.mode !== 'organization') throw new Error('organizationId applies to organisation mode (targets.mode "organization") only');
    if (!/^o-[a-z0-9]{10,32}$/.test(props.organizationId)) throw new Error(`organizationId must be an organisation id like o-a1b2c3d4e5, got ${JSON.stringify(props.organizationId)}`);
  }
  return targets;
}

/** A dead-letter queue: encrypted, TLS only, messages kept the 14 days SQS allows. */
export function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  return new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
}

