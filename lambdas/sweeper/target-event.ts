/**
 * What the sweeper is asked to sweep: the targets in an SQS batch from the planner (one per
 * record), or, for a schedule that invokes it directly, the hub's own account and region.
 * A record that is not a target is refused by name, never swept as something else.
 */
import * as z from 'zod/mini';
import { ALIBABA_ACCOUNT_PATTERN, ALIBABA_REGION_PATTERN, ALIBABA_SOURCE, SECRET_ARN_PATTERN } from '../core/targets/alibaba-targets';
import type { PlannedTarget } from '../core/targets/target-planner';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN, targetKey } from '../core/targets/targets';

const awsAccessSchema = z.union([
  z.strictObject({ kind: z.literal('hub') }),
  z.strictObject({ kind: z.literal('assume-role'), roleArn: z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/)), externalId: z.optional(z.string()) }),
]);

const targetSchema = z.union([
  z.strictObject({
    source: z.literal('ssm'),
    accountId: z.string().check(z.regex(ACCOUNT_ID_PATTERN)),
    region: z.string().check(z.regex(REGION_PATTERN)),
    key: z.string(),
    access: awsAccessSchema,
  }),
  z.strictObject({
    source: z.literal(ALIBABA_SOURCE),
    accountId: z.string().check(z.regex(ALIBABA_ACCOUNT_PATTERN)),
    region: z.string().check(z.regex(ALIBABA_REGION_PATTERN)),
    key: z.string(),
    access: z.strictObject({ kind: z.literal('secret'), secretArn: z.string().check(z.regex(SECRET_ARN_PATTERN)) }),
  }),
]);

export interface TargetRequest {
  /** The SQS message id, to report a failure of this target alone. */
  messageId?: string;
  target: PlannedTarget;
}

export class InvalidTargetEventError extends Error {
  override readonly name = 'InvalidTargetEventError';
}

export function targetRequestsOf(event: unknown, hub: { accountId: string; region: string }): TargetRequest[] {
  const records = typeof event === 'object' && event !== null && 'Records' in event ? (event as { Records: unknown }).Records : undefined;
  if (!Array.isArray(records)) return [{ target: { source: 'ssm', ...hub, key: targetKey({ source: 'ssm', ...hub }), access: { kind: 'hub' } } }];
  return records.map((record: unknown) => {
    const { messageId, body } = (record ?? {}) as { messageId?: unknown; body?: unknown };
    const parsed = z.safeParse(targetSchema, parseJson(body));
    if (!parsed.success) throw new InvalidTargetEventError(`SQS message ${String(messageId)} is not a target: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    if (parsed.data.key !== targetKey(parsed.data)) throw new InvalidTargetEventError(`SQS message ${String(messageId)}: key ${parsed.data.key} does not name its target`);
    return { messageId: String(messageId), target: parsed.data };
  });
}

function parseJson(body: unknown): unknown {
  try {
    return typeof body === 'string' ? JSON.parse(body) : undefined;
  } catch {
    return undefined;
  }
}
