/**
 * SSM for a whole emulated organisation at one endpoint: each request goes to the emulator of the
 * caller's account (from its access key, as STS issued it) and of the SigV4 region, so the same
 * AssumeRole path that runs in AWS runs here. A caller the organisation does not know, or a
 * region its account has not enabled, is refused as AWS refuses it; an account can be told to
 * deny `ssm:DescribeSessions`.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSsmEmulator, type EmulatorOptions, type SsmEmulator } from '../ssm-emulator';
import { authenticateCaller } from './callers';
import { securityTokenOf, sigV4CallerOf } from './http';
import type { EmulatedOrganization } from './organization-model';

export interface OrganizationSsmOptions {
  organization: EmulatedOrganization;
  /** Options of every account's and region's own emulator (the clock, the guesses). */
  emulator?: EmulatorOptions;
  port?: number;
}

export interface OrganizationSsm {
  readonly endpoint: string;
  /** The emulator of one account and region, started on first use. */
  target(accountId: string, region: string): Promise<SsmEmulator>;
  /** Every account and region started so far. */
  targets(): { accountId: string; region: string; emulator: SsmEmulator }[];
  /** Makes the account's role lack ssm:DescribeSessions (AccessDeniedException), or restores it. */
  denyDescribeSessions(accountId: string, denied: boolean): void;
  close(): Promise<void>;
}

export async function startOrganizationSsm(options: OrganizationSsmOptions): Promise<OrganizationSsm> {
  const starting = new Map<string, Promise<SsmEmulator>>();
  const running: { accountId: string; region: string; emulator: SsmEmulator }[] = [];
  const denied = new Set<string>();
  const target = (accountId: string, region: string): Promise<SsmEmulator> => {
    const key = `${accountId}#${region}`;
    let emulator = starting.get(key);
    if (!emulator) {
      emulator = startSsmEmulator({ ...options.emulator, port: 0 });
      starting.set(key, emulator);
      void emulator.then((started) => running.push({ accountId, region, emulator: started }));
    }
    return emulator;
  };

  const server = createServer((request, response) => {
    void route(request, response).catch(() => refuse(response, 500, 'InternalServerError', 'Unexpected emulator error'));
  });
  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readAll(request);
    const caller = sigV4CallerOf(request.headers.authorization);
    if (!caller) return refuse(response, 400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    const known = authenticateCaller(options.organization, caller.accessKeyId, securityTokenOf(request));
    if (!known.ok) return refuse(response, 400, 'UnrecognizedClientException', known.message);
    // An opt-in region the account has not enabled does not know its credentials.
    if (!options.organization.isRegionEnabled(known.accountId, caller.region)) {
      return refuse(response, 400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (denied.has(known.accountId)) {
      return refuse(response, 400, 'AccessDeniedException', `User: ${known.identityArn} is not authorized to perform: ssm:DescribeSessions because no identity-based policy allows the ssm:DescribeSessions action`);
    }
    forward(await target(known.accountId, caller.region), request, body, response);
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    target,
    targets: () => [...running],
    denyDescribeSessions: (accountId, deny) => (deny ? denied.add(accountId) : denied.delete(accountId)),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.all([...starting.values()].map(async (emulator) => (await emulator).close()));
    },
  };
}

function forward(emulator: SsmEmulator, request: IncomingMessage, body: Buffer, response: ServerResponse): void {
  const upstream = httpRequest(`${emulator.endpoint}${request.url ?? '/'}`, { method: request.method, headers: request.headers }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  // A dropped connection upstream (an injected fault) is a dropped connection here too.
  upstream.on('error', () => response.socket?.destroy());
  upstream.end(body);
}

function refuse(response: ServerResponse, status: number, type: string, message: string): void {
  if (response.headersSent) return;
  const payload = JSON.stringify({ __type: type, message });
  response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': Buffer.byteLength(payload) });
  response.end(payload);
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
