/**
 * An AWS Organizations emulator: AWS JSON 1.1 (`X-Amz-Target: AWSOrganizationsV20161128.<Op>`)
 * over node:http on loopback, answering from an EmulatedOrganization that tests change while
 * it runs. Pages are small when asked (maxPageSize), may come back empty with a NextToken as
 * AWS allows (emptyPageEvery), and only the management account or a delegated administrator
 * may call, as in AWS.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateCaller } from './callers';
import { listen, securityTokenOf, sendJsonBody, sigV4CallerOf, type ListenOptions } from './http';
import { EmulatedOrganization } from './organization-model';
import {
  isOrganizationsOperation,
  ORGANIZATIONS_OPERATIONS,
  OrganizationsApiError,
  runOrganizationsOperation,
  type OperationContext,
} from './organizations-operations';

export interface OrganizationsEmulatorOptions extends ListenOptions {
  /** The organisation to answer from; a new default one when absent. */
  organization?: EmulatedOrganization;
  /** The largest page served, whatever MaxResults asks. Default 20, AWS's largest. */
  maxPageSize?: number;
  /** Every n-th page served comes back empty with a NextToken. Default 0 (never). */
  emptyPageEvery?: number;
  /** Also send the Status member AWS retired on 2026-09-09. Default false. */
  legacyStatus?: boolean;
  /** Accounts allowed to call besides the management account (delegated administrators). Default: the hub account. */
  delegatedAdministrators?: string[];
}

export type OrganizationsFault = 'throttle' | 'access-denied';

export interface OrganizationsStats {
  requests: number;
  /** Requests per operation, answered or refused. */
  byOperation: Record<string, number>;
  /** Error responses per error name. */
  errors: Record<string, number>;
}

export interface OrganizationsEmulator {
  readonly endpoint: string;
  readonly organization: EmulatedOrganization;
  readonly stats: OrganizationsStats;
  /** Fails the next `count` requests (default: every request until cleared with undefined). */
  setFault(fault: OrganizationsFault | undefined, count?: number): void;
  resetStats(): void;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'AWSOrganizationsV20161128.';

export async function startOrganizationsEmulator(options: OrganizationsEmulatorOptions = {}): Promise<OrganizationsEmulator> {
  const organization = options.organization ?? new EmulatedOrganization();
  const maxPageSize = options.maxPageSize ?? 20;
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1) throw new RangeError(`maxPageSize must be a whole number >= 1, got ${maxPageSize}`);
  const context: OperationContext = {
    organization,
    paging: { maxPageSize, emptyPageEvery: options.emptyPageEvery ?? 0, legacyStatus: options.legacyStatus ?? false },
    pagesServed: 0,
  };
  const allowedAccounts = new Set([organization.managementAccountId, ...(options.delegatedAdministrators ?? [organization.hubAccountId])]);
  const stats = emptyStats();
  let fault: { kind: OrganizationsFault; remaining: number } | undefined;

  async function handle(request: IncomingMessage, body: string | undefined, response: ServerResponse): Promise<void> {
    stats.requests += 1;
    const requestId = randomUUID();
    if (body === undefined) {
      request.socket.destroy();
      return;
    }
    try {
      send(response, 200, answer(request, body), requestId);
    } catch (error) {
      if (!(error instanceof OrganizationsApiError)) throw error;
      stats.errors[error.errorName] = (stats.errors[error.errorName] ?? 0) + 1;
      send(response, error.status, error.toBody(), requestId);
    }
  }

  function answer(request: IncomingMessage, body: string): Record<string, unknown> {
    if (request.method !== 'POST' || (request.url ?? '/').split('?')[0] !== '/') {
      throw new OrganizationsApiError('UnknownOperationException', 'Only POST / is supported by the AWS JSON 1.1 protocol');
    }
    const target = request.headers['x-amz-target'];
    const name = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    if (!isOrganizationsOperation(name)) throw new OrganizationsApiError('UnknownOperationException', `Unknown operation ${String(target)}`);
    stats.byOperation[name] = (stats.byOperation[name] ?? 0) + 1;
    authorize(request);
    injectFault();
    return runOrganizationsOperation(name, parseBody(body), context);
  }

  function authorize(request: IncomingMessage): void {
    const signer = sigV4CallerOf(request.headers.authorization);
    if (!signer) throw new OrganizationsApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const caller = authenticateCaller(organization, signer.accessKeyId, securityTokenOf(request));
    if (!caller.ok) throw new OrganizationsApiError(caller.code === 'ExpiredToken' ? 'ExpiredTokenException' : 'UnrecognizedClientException', caller.message);
    if (!allowedAccounts.has(caller.accountId)) {
      throw new OrganizationsApiError('AccessDeniedException', "You don't have permissions to access this resource.");
    }
  }

  function injectFault(): void {
    if (!fault || fault.remaining <= 0) return;
    fault.remaining -= 1;
    if (fault.kind === 'throttle') {
      throw new OrganizationsApiError('TooManyRequestsException', 'You have sent too many requests in too short a period of time. Try again later.', { Type: 'Throttling' });
    }
    throw new OrganizationsApiError('AccessDeniedException', "You don't have permissions to access this resource.");
  }

  const server = await listen(options, handle, 'Organizations emulator');
  return {
    endpoint: server.endpoint,
    organization,
    stats,
    setFault(kind, count) {
      fault = kind === undefined ? undefined : { kind, remaining: count ?? Number.POSITIVE_INFINITY };
    },
    resetStats: () => Object.assign(stats, emptyStats()),
    close: () => server.close(),
  };
}

function parseBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new OrganizationsApiError('SerializationException', 'The request body is not a JSON object');
}

function emptyStats(): OrganizationsStats {
  const byOperation: Record<string, number> = {};
  for (const name of ORGANIZATIONS_OPERATIONS) byOperation[name] = 0;
  return { requests: 0, byOperation, errors: {} };
}

function send(response: ServerResponse, status: number, body: Record<string, unknown>, requestId: string): void {
  sendJsonBody(response, status, body, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': requestId });
}
