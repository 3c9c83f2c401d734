/**
 * The console's only way to the archive: GET requests to the API on the same origin (the local
 * API itself, or `session-archive console`, which signs and forwards them). Failures become
 * sentences; the page never shows raw JSON.
 */
import { API_HEADERS, takeFirstRequest } from './first-request';
import { queryString } from './query-string';

export type Parameters = ReadonlyArray<readonly [string, string]>;

/** Something the user should read: what went wrong, in words. */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, parameters: Parameters = [], signal?: AbortSignal): Promise<T> {
  let response: Response;
  const url = `${path}${queryString(parameters)}`;
  try {
    response = await (takeFirstRequest(url, signal) ?? fetch(url, { headers: API_HEADERS, signal: signal ?? null }));
  } catch (error: unknown) {
    if (signal?.aborted) throw error;
    throw new ApiProblem('Cannot reach the archive API. Is the server that showed this page still running?', 0);
  }
  const text = await response.text();
  const parsed = parseJson(text);
  if (response.ok) {
    if (parsed === undefined) throw new ApiProblem(`The archive API answered ${path} with something that is not JSON.`, response.status);
    return parsed as T;
  }
  throw new ApiProblem(explain(response.status, messageOf(parsed) ?? text.trim().slice(0, 200)), response.status);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `{"error":{"message"}}` from the archive API, `{"message"}` from API Gateway. */
function messageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as { error?: { message?: unknown; code?: unknown }; message?: unknown };
  if (typeof record.error?.message === 'string') return record.error.message;
  return typeof record.message === 'string' ? record.message : undefined;
}

function explain(status: number, message: string): string {
  const detail = message === '' ? '' : `: ${sentence(message)}`;
  if (status === 400) return `The archive refused this request${detail}`;
  if (status === 403) return `The archive refused access (HTTP 403)${detail} Check the AWS credentials of the console's command line.`;
  if (status === 404) return `Not found${detail}`;
  if (status === 502 || status === 504) return `The archive could not be reached through the console (HTTP ${status})${detail}`;
  return `The archive API failed (HTTP ${status})${detail}`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiProblem) return error.message;
  return `Something went wrong in the page: ${error instanceof Error ? error.message : String(error)}`;
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * One page of `limit` items for the screen, following the API's tokens while it returns short
 * or empty pages (it may, when it stops early) until the page is full or the results end.
 */
export async function fillPage<T>(path: string, key: string, parameters: Parameters, limit: number, token: string | undefined, signal?: AbortSignal): Promise<Page<T>> {
  const items: T[] = [];
  let nextToken = token;
  do {
    const request: Array<readonly [string, string]> = [...parameters, ['limit', String(limit - items.length)]];
    if (nextToken !== undefined) request.push(['nextToken', nextToken]);
    const body = await getJson<Record<string, unknown>>(path, request, signal);
    const list = body[key];
    if (!Array.isArray(list)) throw new ApiProblem(`The archive API answered ${path} without a ${key} list.`, 200);
    items.push(...(list as T[]));
    nextToken = typeof body.nextToken === 'string' ? body.nextToken : undefined;
  } while (nextToken !== undefined && items.length < limit);
  return nextToken === undefined ? { items } : { items, nextToken };
}

/** Every page of a query, `pageSize` at a time, until the API has no more. */
export async function* allPages<T>(path: string, key: string, parameters: Parameters, pageSize: number, signal?: AbortSignal): AsyncGenerator<T[]> {
  let nextToken: string | undefined;
  do {
    const request: Array<readonly [string, string]> = [...parameters, ['limit', String(pageSize)]];
    if (nextToken !== undefined) request.push(['nextToken', nextToken]);
    const body = await getJson<Record<string, unknown>>(path, request, signal);
    const list = body[key];
    if (!Array.isArray(list)) throw new ApiProblem(`The archive API answered ${path} without a ${key} list.`, 200);
    nextToken = typeof body.nextToken === 'string' ? body.nextToken : undefined;
    yield list as T[];
  } while (nextToken !== undefined);
}
