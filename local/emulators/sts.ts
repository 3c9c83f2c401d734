/**
 * An AWS STS emulator: the query protocol (form-encoded POST, or GET with a query string)
 * over node:http on loopback, answering AssumeRole, GetCallerIdentity and GetAccessKeyInfo
 * in the XML the SDK v3 STS client and the AWS CLI parse, from an EmulatedOrganization. The
 * SigV4 header names the caller (the signature is not checked); temporary credentials it
 * issues carry their account in the access key id (see accountOfAccessKey).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateCaller } from './callers';
import { listen, securityTokenOf, sigV4CallerOf, type ListenOptions } from './http';
import { EmulatedOrganization } from './organization-model';
import { errorXml, QueryApiError, queryParameters, resultXml, STS_XML_NAMESPACE } from './query-protocol';
import { isStsAction, STS_ACTIONS, runStsAction } from './sts-operations';

export { accountOfAccessKey, type IssuedCredentials } from './access-keys';

export interface StsEmulatorOptions extends ListenOptions {
  /** The organisation to answer from; a new default one when absent. */
  organization?: EmulatedOrganization;
}

export interface StsStats {
  requests: number;
  /** Requests per action, answered or refused. */
  byAction: Record<string, number>;
  /** AssumeRole calls per target account (after parameter validation), answered or refused. */
  assumeRoleByAccount: Record<string, number>;
  /** Error responses per error code. */
  errors: Record<string, number>;
}

export interface StsEmulator {
  readonly endpoint: string;
  readonly organization: EmulatedOrganization;
  readonly stats: StsStats;
  resetStats(): void;
  close(): Promise<void>;
}

const API_VERSION = '2011-06-15';

export async function startStsEmulator(options: StsEmulatorOptions = {}): Promise<StsEmulator> {
  const organization = options.organization ?? new EmulatedOrganization();
  const stats = emptyStats();

  async function handle(request: IncomingMessage, body: string | undefined, response: ServerResponse): Promise<void> {
    stats.requests += 1;
    const requestId = randomUUID();
    if (body === undefined) {
      request.socket.destroy();
      return;
    }
    try {
      const result = answer(request, body);
      send(response, 200, resultXml(result.action, result.tree, requestId, STS_XML_NAMESPACE), requestId);
    } catch (error) {
      if (!(error instanceof QueryApiError)) throw error;
      stats.errors[error.code] = (stats.errors[error.code] ?? 0) + 1;
      send(response, error.status, errorXml(error, requestId, STS_XML_NAMESPACE), requestId);
    }
  }

  function answer(request: IncomingMessage, body: string) {
    if ((request.url ?? '/').split('?')[0] !== '/' || (request.method !== 'POST' && request.method !== 'GET')) {
      throw new QueryApiError('InvalidAction', 'STS answers only GET or POST on /', 400);
    }
    const parameters = queryParameters(request.url, body);
    const action = parameters.get('Action') ?? '';
    stats.byAction[action] = (stats.byAction[action] ?? 0) + 1;
    if (action === '') throw new QueryApiError('MissingAction', 'Missing Action', 400);
    if (!isStsAction(action) || parameters.get('Version') !== API_VERSION) {
      throw new QueryApiError('InvalidAction', `Could not find operation ${action} for version ${parameters.get('Version') ?? 'NO_VERSION_SPECIFIED'}`, 400);
    }
    const signer = sigV4CallerOf(request.headers.authorization);
    if (!signer) throw new QueryApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    const caller = authenticateCaller(organization, signer.accessKeyId, securityTokenOf(request));
    if (!caller.ok) throw new QueryApiError(caller.code, caller.message, caller.code === 'ExpiredToken' ? 400 : 403);
    const tree = runStsAction(action, parameters, {
      organization,
      caller,
      onAssumeRole: (accountId) => {
        stats.assumeRoleByAccount[accountId] = (stats.assumeRoleByAccount[accountId] ?? 0) + 1;
      },
    });
    return { action, tree };
  }

  const server = await listen(options, handle, 'STS emulator');
  return {
    endpoint: server.endpoint,
    organization,
    stats,
    resetStats: () => Object.assign(stats, emptyStats()),
    close: () => server.close(),
  };
}

function emptyStats(): StsStats {
  const byAction: Record<string, number> = {};
  for (const action of STS_ACTIONS) byAction[action] = 0;
  return { requests: 0, byAction, assumeRoleByAccount: {}, errors: {} };
}

function send(response: ServerResponse, status: number, xml: string, requestId: string): void {
  if (response.destroyed || response.writableEnded) return;
  response.writeHead(status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(xml),
    'x-amzn-RequestId': requestId,
  });
  response.end(xml);
}
