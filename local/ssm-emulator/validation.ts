/**
 * Request parsing and validation, following the constraints of the SSM model
 * (shared/reference/ssm-sessions-model.json). Type mismatches are SerializationException,
 * constraint breaches are ValidationException with AWS-style messages naming the member.
 */
import { SsmApiError, validationError } from './errors';
import type { SessionState } from './session-model';

export const FILTER_KEYS = [
  'InvokedAfter',
  'InvokedBefore',
  'Target',
  'Owner',
  'Status',
  'SessionId',
  'AccessType',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export interface SessionFilter {
  key: FilterKey;
  value: string;
}

/** When MaxResults is absent. AWS does not document its default; we use the maximum. */
export const DEFAULT_MAX_RESULTS = 200;
export const MAX_RESULTS_LIMIT = 200;

export interface DescribeSessionsInput {
  state: SessionState;
  maxResults: number;
  nextToken: string | undefined;
  filters: SessionFilter[];
  /** Filters reduced to what the query needs; duplicate keys are ANDed. */
  criteria: FilterCriteria;
}

export interface FilterCriteria {
  /** StartDate >= this (InvokedAfter). */
  startAtOrAfterMs: number | undefined;
  /** StartDate < this (InvokedBefore). */
  startBeforeMs: number | undefined;
  target: string[];
  owner: string[];
  status: string[];
  sessionId: string[];
  accessType: string[];
}

export interface StartSessionInput {
  target: string;
  documentName: string | undefined;
  reason: string | undefined;
  parameters: Record<string, string[]> | undefined;
}

type JsonObject = Record<string, unknown>;

export function parseJsonBody(rawBody: string): JsonObject {
  // The SDK always sends "{}" for empty input; treat a truly empty body the same way.
  if (rawBody.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw new SsmApiError('SerializationException', 'Request body is not valid JSON');
  }
  if (!isJsonObject(parsed)) {
    throw new SsmApiError('SerializationException', 'Request body must be a JSON object (start of structure expected)');
  }
  return parsed;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readOptionalString(body: JsonObject, member: string): string | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new SsmApiError('SerializationException', `${jsonKind(value)} can not be converted to a String at '${member}'`);
  }
  return value;
}

function readOptionalInteger(body: JsonObject, member: string): number | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new SsmApiError('SerializationException', `${jsonKind(value)} can not be converted to an Integer at '${member}'`);
  }
  return value;
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'Start of list';
  if (typeof value === 'object' && value !== null) return 'Start of structure or map';
  if (typeof value === 'string') return 'STRING_VALUE';
  if (typeof value === 'number') return Number.isInteger(value) ? 'NUMBER_VALUE' : 'DECIMAL_VALUE';
  if (typeof value === 'boolean') return 'BOOLEAN_VALUE';
  return 'Value';
}

/** Collects constraint breaches for one request, with AWS wording. */
class ConstraintChecker {
  readonly problems: string[] = [];

  required(value: unknown, path: string): boolean {
    if (value === undefined) {
      this.problems.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
      return false;
    }
    return true;
  }

  length(value: string | undefined, path: string, min: number, max: number): void {
    if (value === undefined) return;
    // AWS counts characters (code points) for string length constraints.
    const length = [...value].length;
    if (length < min) this.fail(value, path, `Member must have length greater than or equal to ${min}`);
    else if (length > max) this.fail(value, path, `Member must have length less than or equal to ${max}`);
  }

  range(value: number | undefined, path: string, min: number, max: number): void {
    if (value === undefined) return;
    if (value < min) this.fail(String(value), path, `Member must have value greater than or equal to ${min}`);
    else if (value > max) this.fail(String(value), path, `Member must have value less than or equal to ${max}`);
  }

  listSize(size: number, path: string, min: number, max: number): void {
    if (size < min) this.problems.push(`Value at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
    else if (size > max) this.problems.push(`Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }

  enumValue(value: string | undefined, path: string, allowed: readonly string[]): void {
    if (value === undefined || allowed.includes(value)) return;
    this.fail(value, path, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }

  pattern(value: string | undefined, path: string, pattern: RegExp): void {
    if (value === undefined || pattern.test(value)) return;
    this.fail(value, path, `Member must satisfy regular expression pattern: ${pattern.source}`);
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw validationError(this.problems);
  }

  private fail(value: string, path: string, constraint: string): void {
    this.problems.push(`Value '${value}' at '${path}' failed to satisfy constraint: ${constraint}`);
  }
}

const SESSION_STATES: readonly SessionState[] = ['Active', 'History'];

export function parseDescribeSessions(body: JsonObject): DescribeSessionsInput {
  const state = readOptionalString(body, 'State');
  const maxResults = readOptionalInteger(body, 'MaxResults');
  const nextToken = readOptionalString(body, 'NextToken');
  const rawFilters = readFilterList(body);

  const check = new ConstraintChecker();
  if (check.required(state, 'state')) check.enumValue(state, 'state', SESSION_STATES);
  check.range(maxResults, 'maxResults', 1, MAX_RESULTS_LIMIT);
  if (rawFilters !== undefined) {
    check.listSize(rawFilters.length, 'filters', 1, 6);
    rawFilters.forEach((filter, index) => {
      const path = `filters.${index + 1}.member`;
      check.required(filter.key, `${path}.key`);
      if (check.required(filter.value, `${path}.value`)) check.length(filter.value, `${path}.value`, 1, 400);
    });
  }
  check.throwIfAny();

  const filters: SessionFilter[] = (rawFilters ?? []).map((filter) => {
    const key = filter.key as string;
    if (!isFilterKey(key)) {
      throw new SsmApiError('InvalidFilterKey', `The filter key '${key}' isn't valid. Valid keys: ${FILTER_KEYS.join(', ')}`);
    }
    return { key, value: filter.value as string };
  });

  return {
    state: state as SessionState,
    maxResults: maxResults ?? DEFAULT_MAX_RESULTS,
    nextToken,
    filters,
    criteria: toCriteria(filters),
  };
}

function isFilterKey(key: string): key is FilterKey {
  return (FILTER_KEYS as readonly string[]).includes(key);
}

function readFilterList(body: JsonObject): Array<{ key: string | undefined; value: string | undefined }> | undefined {
  const value = body.Filters;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    throw new SsmApiError('SerializationException', `${jsonKind(value)} can not be converted to a list at 'Filters'`);
  }
  return value.map((item: unknown, index) => {
    if (!isJsonObject(item)) {
      throw new SsmApiError('SerializationException', `${jsonKind(item)} found where a structure was expected at 'Filters.${index + 1}'`);
    }
    return { key: readOptionalString(item, 'key'), value: readOptionalString(item, 'value') };
  });
}

function toCriteria(filters: readonly SessionFilter[]): FilterCriteria {
  const criteria: FilterCriteria = {
    startAtOrAfterMs: undefined,
    startBeforeMs: undefined,
    target: [],
    owner: [],
    status: [],
    sessionId: [],
    accessType: [],
  };
  filters.forEach(({ key, value }, index) => {
    switch (key) {
      case 'InvokedAfter': {
        const ms = parseFilterTimestamp(key, value, index);
        criteria.startAtOrAfterMs = Math.max(criteria.startAtOrAfterMs ?? -Infinity, ms);
        break;
      }
      case 'InvokedBefore': {
        const ms = parseFilterTimestamp(key, value, index);
        criteria.startBeforeMs = Math.min(criteria.startBeforeMs ?? Infinity, ms);
        break;
      }
      case 'Target':
        criteria.target.push(value);
        break;
      case 'Owner':
        criteria.owner.push(value);
        break;
      case 'Status':
        criteria.status.push(value);
        break;
      case 'SessionId':
        criteria.sessionId.push(value);
        break;
      case 'AccessType':
        criteria.accessType.push(value);
        break;
    }
  });
  return criteria;
}

const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses an ISO-8601 timestamp such as 2024-08-29T00:00:00Z (a date alone, or a time
 * without zone, is read as UTC). Returns epoch ms, or undefined when it is not a real instant.
 */
export function parseIsoTimestamp(text: string): number | undefined {
  const match = ISO_TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const utcMs = Date.UTC(y, mo - 1, d, h, mi, s);
  // Reject days that roll over into the next month (2024-02-30).
  if (new Date(utcMs).getUTCDate() !== d) return undefined;
  const fractionMs = fraction === '' ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  let offsetMs = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = Number(digits.slice(2, 4));
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    offsetMs = sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  return utcMs + fractionMs - offsetMs;
}

function parseFilterTimestamp(key: 'InvokedAfter' | 'InvokedBefore', value: string, index: number): number {
  const ms = parseIsoTimestamp(value);
  if (ms === undefined) {
    throw validationError([
      `Value '${value}' at 'filters.${index + 1}.member.value' failed to satisfy constraint: ${key} must be a timestamp in ISO-8601 format, for example 2024-08-29T00:00:00Z`,
    ]);
  }
  return ms;
}

/** Characters AWS's `.` does not match, so ^.{1,256}$ rejects them. */
const SESSION_REASON = /^.{1,256}$/u;
const DOCUMENT_ARN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;

export function parseStartSession(body: JsonObject): StartSessionInput {
  const target = readOptionalString(body, 'Target');
  const documentName = readOptionalString(body, 'DocumentName');
  const reason = readOptionalString(body, 'Reason');
  const parameters = readParameters(body);

  const check = new ConstraintChecker();
  if (check.required(target, 'target')) check.length(target, 'target', 1, 400);
  check.pattern(documentName, 'documentName', DOCUMENT_ARN);
  check.length(reason, 'reason', 1, 256);
  if (reason !== undefined && reason.length > 0 && [...reason].length <= 256) check.pattern(reason, 'reason', SESSION_REASON);
  if (parameters) {
    for (const [name, values] of Object.entries(parameters)) {
      check.length(name, 'parameters', 1, 255);
      values.forEach((value, index) => check.length(value, `parameters.${name}.${index + 1}.member`, 1, 65535));
    }
  }
  check.throwIfAny();
  return { target: target as string, documentName, reason, parameters };
}

function readParameters(body: JsonObject): Record<string, string[]> | undefined {
  const value = body.Parameters;
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) {
    throw new SsmApiError('SerializationException', `${jsonKind(value)} can not be converted to a map at 'Parameters'`);
  }
  const parameters: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(value)) {
    if (!Array.isArray(list) || !list.every((item): item is string => typeof item === 'string')) {
      throw new SsmApiError('SerializationException', `Parameters.${name} must be a list of strings`);
    }
    parameters[name] = list;
  }
  return parameters;
}

/** TerminateSession / ResumeSession: SessionId required, 1-96 characters. */
export function parseSessionIdRequest(body: JsonObject): { sessionId: string } {
  const sessionId = readOptionalString(body, 'SessionId');
  const check = new ConstraintChecker();
  if (check.required(sessionId, 'sessionId')) check.length(sessionId, 'sessionId', 1, 96);
  check.throwIfAny();
  return { sessionId: sessionId as string };
}

export function parseGetConnectionStatus(body: JsonObject): { target: string } {
  const target = readOptionalString(body, 'Target');
  const check = new ConstraintChecker();
  if (check.required(target, 'target')) check.length(target, 'target', 1, 400);
  check.throwIfAny();
  return { target: target as string };
}
