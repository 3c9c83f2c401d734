/**
 * The context keys of a hub that sweeps more than itself: `organization`, `targets` and `alibaba` (checked by
 * the very code the planner runs, lambdas/core/targets/targets.ts), `organization.organizationId` (the
 * hub's own addition to `organization`), `fanOutConcurrency` and `memberRoleStackSet`. Problems
 * are collected with the other context problems and reported at once.
 */
import { parseTargetsConfig, TargetsConfigError, type TargetsConfig } from '../lambdas/core/targets/targets';
import type { MemberRoleStackSetOptions } from './session-archive-props';
import { FAN_OUT_CONCURRENCY } from './target-fan-out';

export interface TargetsContext {
  targets?: TargetsConfig;
  organizationId?: string;
  fanOutConcurrency?: number;
  memberRoleStackSet?: MemberRoleStackSetOptions;
}

const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
const STACK_SET_KEYS = ['enabled', 'callAs', 'retainStacksOnAccountRemoval'] as const;

/** `raw` gives a context value with null, "null" and "" already read as undefined. */
export function readTargetsContext(raw: (key: 'organization' | 'targets' | 'alibaba' | 'fanOutConcurrency' | 'memberRoleStackSet') => unknown, problems: string[]): TargetsContext {
  const organization = jsonValue('organization', raw('organization'), problems);
  let organizationId: string | undefined;
  let organizationForParser: unknown = organization;
  if (typeof organization === 'object' && organization !== null && !Array.isArray(organization) && 'organizationId' in organization) {
    const { organizationId: id, ...rest } = organization as Record<string, unknown>;
    organizationForParser = rest;
    if (typeof id !== 'string' || !ORGANIZATION_ID_PATTERN.test(id)) problems.push(`organization.organizationId must be an organisation id like o-a1b2c3d4e5 (o-[a-z0-9]{10,32}), got ${JSON.stringify(id)}`);
    else organizationId = id;
  }
  let targets: TargetsConfig | undefined;
  try {
    const parsed = parseTargetsConfig({ organization: organizationForParser, targets: raw('targets'), alibaba: raw('alibaba') });
    targets = parsed.mode === 'hub' && parsed.alibaba === undefined ? undefined : parsed;
  } catch (error: unknown) {
    if (!(error instanceof TargetsConfigError)) throw error;
    // organizationId is read here, not by the planner's parser: name it among the allowed keys.
    problems.push(...error.problems.map((problem) => problem.replace(/^(organization has an unknown key .*allowed keys: .*)$/, '$1, organizationId')));
  }
  return {
    ...(targets === undefined ? {} : { targets }),
    ...(organizationId === undefined ? {} : { organizationId }),
    ...optionalConcurrency(raw('fanOutConcurrency'), problems),
    ...stackSetOptions(jsonValue('memberRoleStackSet', raw('memberRoleStackSet'), problems), problems),
  };
}

function jsonValue(key: string, value: unknown, problems: string[]): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    problems.push(`${key} must be JSON on the command line, got ${JSON.stringify(value)}`);
    return undefined;
  }
}

function optionalConcurrency(value: unknown, problems: string[]): { fanOutConcurrency?: number } {
  if (value === undefined) return {};
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < FAN_OUT_CONCURRENCY.min || parsed > FAN_OUT_CONCURRENCY.max) {
    problems.push(`fanOutConcurrency must be a whole number from ${FAN_OUT_CONCURRENCY.min} to ${FAN_OUT_CONCURRENCY.max} (target sweeps at once), got ${JSON.stringify(value)}`);
    return {};
  }
  return { fanOutConcurrency: parsed };
}

function stackSetOptions(value: unknown, problems: string[]): { memberRoleStackSet?: MemberRoleStackSetOptions } {
  if (value === undefined) return {};
  const what = `an object with keys ${STACK_SET_KEYS.join(', ')} (enabled and retainStacksOnAccountRemoval true or false, callAs "SELF" or "DELEGATED_ADMIN")`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`memberRoleStackSet must be ${what}, got ${JSON.stringify(value)}`);
    return {};
  }
  const fields = value as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(fields)) {
    if (!(STACK_SET_KEYS as readonly string[]).includes(key)) problems.push(`memberRoleStackSet has an unknown key "${key}"; allowed keys: ${STACK_SET_KEYS.join(', ')}`);
  }
  for (const key of ['enabled', 'retainStacksOnAccountRemoval'] as const) {
    if (fields[key] !== undefined && typeof fields[key] !== 'boolean') problems.push(`memberRoleStackSet.${key} must be true or false, got ${JSON.stringify(fields[key])}`);
  }
  if (fields.callAs !== undefined && fields.callAs !== 'SELF' && fields.callAs !== 'DELEGATED_ADMIN') {
    problems.push(`memberRoleStackSet.callAs must be "SELF" (the hub is the management account) or "DELEGATED_ADMIN" (a delegated administrator for StackSets), got ${JSON.stringify(fields.callAs)}`);
  }
  return problems.length > before ? {} : { memberRoleStackSet: fields as MemberRoleStackSetOptions };
}
