/**
 * Compliance rules as data. Each is optional; a deployment turns on the ones it wants through
 * `cdk.json` context (`compliance`), which is validated once when the app synthesizes and again at
 * the check function's cold start, naming every problem at once.
 */
import * as z from 'zod/mini';
import { SESSION_SOURCES } from '../query/target-filters';

export const RULE_IDS = ['max-duration', 'reason-required', 'owner-not-allowed', 'forbidden-document', 'just-in-time-required', 'off-hours'] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** When sessions should not start: a daily window in a time zone, and optionally whole weekends. */
export interface OffHoursWindow {
  /** `HH:MM`, 24-hour, local time; the window starts here. */
  start: string;
  /** `HH:MM`; the window ends here (exclusive). Earlier than `start`: it runs past midnight. */
  end: string;
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** Saturday and Sunday (in that zone) are off-hours all day. */
  weekends: boolean;
}

export interface ComplianceRules {
  /** A session that lasted longer than this (from its start to its end) is a finding. */
  maxDurationMinutes?: number;
  /** A session without a reason (absent or blank) is a finding. */
  reasonRequired?: boolean;
  /** A regular expression the whole owner ARN must match; any other owner is a finding. */
  allowedOwnerPattern?: string;
  /** Session documents that must not be used (exact names). */
  forbiddenDocuments?: readonly string[];
  /** Targets (exact ids, `*` matches any run of characters) that only JustInTime access may reach. */
  justInTimeOnlyTargets?: readonly string[];
  /** Sessions started in this window are findings. */
  offHours?: OffHoursWindow;
  /** The sources whose sessions these rules check (`ssm`, `alibaba`); every source when absent. */
  sources?: readonly string[];
}

/** The rules, checked and ready to apply: patterns compiled once. */
export interface CompiledRules {
  readonly config: ComplianceRules;
  readonly maxDurationMinutes?: number;
  readonly reasonRequired: boolean;
  readonly allowedOwner?: RegExp;
  readonly forbiddenDocuments: ReadonlySet<string>;
  readonly justInTimeOnlyTargets: readonly RegExp[];
  readonly offHours?: { startMinute: number; endMinute: number; timeZone: string; weekends: boolean };
  /** Undefined: every source. */
  readonly sources?: ReadonlySet<string>;
}

export class ComplianceConfigError extends Error {
  override readonly name = 'ComplianceConfigError';
}

const CLOCK_TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
const MAX_PATTERN_LENGTH = 1000;
/** SSM's own maximum session duration is 1,440 minutes, but sessions without one can run for weeks. */
const MAX_DURATION_MINUTES = 525_600;

const nonEmptyText = (what: string) => z.string({ error: `must be ${what}` }).check(z.minLength(1, { error: 'must not be empty' }));

export const complianceRulesSchema = z.strictObject({
  maxDurationMinutes: z.optional(
    z.nullable(
      z.int({ error: 'must be a whole number of minutes' }).check(
        z.minimum(1, { error: 'must be at least 1' }),
        z.maximum(MAX_DURATION_MINUTES, { error: `must be at most ${MAX_DURATION_MINUTES} (a year)` }),
      ),
    ),
  ),
  reasonRequired: z.optional(z.nullable(z.boolean({ error: 'must be true or false' }))),
  allowedOwnerPattern: z.optional(
    z.nullable(
      nonEmptyText('a regular expression').check(
        z.maxLength(MAX_PATTERN_LENGTH, { error: `must be at most ${MAX_PATTERN_LENGTH} characters` }),
        z.refine((pattern) => compiles(pattern), { error: 'is not a valid JavaScript regular expression' }),
      ),
    ),
  ),
  forbiddenDocuments: z.optional(z.nullable(z.array(nonEmptyText('a document name'), { error: 'must be a list of document names' }))),
  justInTimeOnlyTargets: z.optional(z.nullable(z.array(nonEmptyText('a target id or pattern'), { error: 'must be a list of target ids' }))),
  offHours: z.optional(
    z.nullable(
      z.strictObject(
        {
          start: z.string({ error: 'must be a time like "20:00"' }).check(z.regex(CLOCK_TIME, { error: 'must be a time like "20:00" (24-hour HH:MM)' })),
          end: z.string({ error: 'must be a time like "07:00"' }).check(z.regex(CLOCK_TIME, { error: 'must be a time like "07:00" (24-hour HH:MM)' })),
          timeZone: nonEmptyText('an IANA time zone').check(z.refine((zone) => isTimeZone(zone), { error: 'is not a time zone this runtime knows (IANA name, e.g. Europe/Berlin)' })),
          weekends: z._default(z.boolean({ error: 'must be true or false' }), false),
        },
        { error: 'must be an object { start, end, timeZone, weekends }' },
      ).check(z.refine((window) => window.start !== window.end, { error: 'start and end must differ', path: ['end'] })),
    ),
  ),
  sources: z.optional(
    z.nullable(
      z
        .array(z.enum(SESSION_SOURCES, { error: `must be one of ${SESSION_SOURCES.join(', ')}` }), { error: `must be a list of sources (${SESSION_SOURCES.join(', ')})` })
        .check(z.minLength(1, { error: 'must name at least one source (leave it out for every source)' })),
    ),
  ),
}, { error: 'must be an object' });

/** Checks raw configuration (cdk.json context or the function's COMPLIANCE_RULES) and compiles it. */
export function parseComplianceRules(input: unknown, origin = 'compliance'): CompiledRules {
  const result = z.safeParse(complianceRulesSchema, input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = `${origin}${issue.path.length > 0 ? `.${issue.path.map(String).join('.')}` : ''}`;
      // A misspelt rule must not pass as "off": name it and what is known.
      if (issue.code === 'unrecognized_keys') return `${path} has unknown keys ${issue.keys.join(', ')}; known: ${knownKeys(issue.path.length > 0)}`;
      return `${path} ${issue.message}`;
    });
    throw new ComplianceConfigError(`invalid compliance rules: ${problems.join('; ')}`);
  }
  return compileRules(withoutNulls(result.data));
}

function compileRules(config: ComplianceRules): CompiledRules {
  const offHours = config.offHours;
  return {
    config,
    ...(config.maxDurationMinutes === undefined ? {} : { maxDurationMinutes: config.maxDurationMinutes }),
    reasonRequired: config.reasonRequired === true,
    // The whole ARN must match: an allow-list that matched a substring would let look-alikes through.
    ...(config.allowedOwnerPattern === undefined ? {} : { allowedOwner: new RegExp(`^(?:${config.allowedOwnerPattern})$`, 'u') }),
    forbiddenDocuments: new Set(config.forbiddenDocuments ?? []),
    justInTimeOnlyTargets: (config.justInTimeOnlyTargets ?? []).map(globToRegExp),
    ...(offHours === undefined
      ? {}
      : { offHours: { startMinute: minuteOfDay(offHours.start), endMinute: minuteOfDay(offHours.end), timeZone: offHours.timeZone, weekends: offHours.weekends } }),
    ...(config.sources === undefined ? {} : { sources: new Set(config.sources) }),
  };
}

/** The configuration with `null` ("not set", as cdk.json writes it) and empty lists dropped. */
function withoutNulls(parsed: z.infer<typeof complianceRulesSchema>): ComplianceRules {
  const rules: ComplianceRules = {};
  if (parsed.maxDurationMinutes != null) rules.maxDurationMinutes = parsed.maxDurationMinutes;
  if (parsed.reasonRequired === true) rules.reasonRequired = true;
  if (parsed.allowedOwnerPattern != null) rules.allowedOwnerPattern = parsed.allowedOwnerPattern;
  if (parsed.forbiddenDocuments != null && parsed.forbiddenDocuments.length > 0) rules.forbiddenDocuments = parsed.forbiddenDocuments;
  if (parsed.justInTimeOnlyTargets != null && parsed.justInTimeOnlyTargets.length > 0) rules.justInTimeOnlyTargets = parsed.justInTimeOnlyTargets;
  if (parsed.offHours != null) rules.offHours = parsed.offHours;
  if (parsed.sources != null) rules.sources = parsed.sources;
  return rules;
}

/** The rules a configuration turns on, in a fixed order. */
export function enabledRules(rules: CompiledRules): RuleId[] {
  const on: Record<RuleId, boolean> = {
    'max-duration': rules.maxDurationMinutes !== undefined,
    'reason-required': rules.reasonRequired,
    'owner-not-allowed': rules.allowedOwner !== undefined,
    'forbidden-document': rules.forbiddenDocuments.size > 0,
    'just-in-time-required': rules.justInTimeOnlyTargets.length > 0,
    'off-hours': rules.offHours !== undefined,
  };
  return RULE_IDS.filter((rule) => on[rule]);
}

function knownKeys(inOffHours: boolean): string {
  return inOffHours ? 'start, end, timeZone, weekends' : Object.keys(complianceRulesSchema.shape).join(', ');
}

function minuteOfDay(clock: string): number {
  const [hours = 0, minutes = 0] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}

/** `i-0abc*` → /^i-0abc.*$/: every other character is literal. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 'su');
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
