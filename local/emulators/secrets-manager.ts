/**
 * A small AWS Secrets Manager for tests and the local stack: AWS JSON 1.1 over node:http
 * (POST /, `X-Amz-Target: secretsmanager.<Operation>`, SigV4 present but not verified), enough of
 * it for the query function's token key: GetSecretValue by ARN or name, with VersionStage or
 * VersionId, and rotation that moves AWSCURRENT and AWSPREVIOUS as Secrets Manager does.
 * Errors have Secrets Manager's names, status 400, in the body's `__type` and the
 * `x-amzn-ErrorType` header, so the real SDK raises its own exception classes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerEmulatorOptions {
  /** Default 0 (a free port). */
  port?: number;
  region?: string;
  accountId?: string;
}

interface SecretVersion {
  versionId: string;
  secretString: string;
  stages: Set<string>;
  createdAt: number;
}

interface Secret {
  name: string;
  arn: string;
  versions: SecretVersion[];
}

export interface GetSecretValueRequest {
  secretId: string;
  versionStage?: string;
  versionId?: string;
}

export interface SecretsManagerEmulator {
  readonly endpoint: string;
  /** Creates a secret whose first version is AWSCURRENT; returns its ARN. */
  createSecret(name: string, value: string): string;
  /** A new version becomes AWSCURRENT; the old current becomes AWSPREVIOUS; the old previous loses its label. */
  rotateSecret(secretId: string, value: string): void;
  /** Every GetSecretValue request, in order. */
  readonly requests: readonly GetSecretValueRequest[];
  close(): Promise<void>;
}

class SecretsManagerError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 64 * 1024;

export async function startSecretsManagerEmulator(options: SecretsManagerEmulatorOptions = {}): Promise<SecretsManagerEmulator> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const secrets: Secret[] = [];
  const requests: GetSecretValueRequest[] = [];

  const find = (secretId: string): Secret => {
    const secret = secrets.find((candidate) => candidate.arn === secretId || candidate.name === secretId);
    if (!secret) throw new SecretsManagerError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };

  const getSecretValue = (body: Record<string, unknown>): Record<string, unknown> => {
    const secretId = stringField(body, 'SecretId', 1, 2048, true);
    const versionStage = stringField(body, 'VersionStage', 1, 256, false);
    const versionId = stringField(body, 'VersionId', 32, 64, false);
    requests.push({ secretId: secretId ?? '', ...(versionStage === undefined ? {} : { versionStage }), ...(versionId === undefined ? {} : { versionId }) });
    const secret = find(secretId ?? '');
    const stage = versionStage ?? (versionId === undefined ? 'AWSCURRENT' : undefined);
    const version = secret.versions.find((candidate) => (versionId === undefined || candidate.versionId === versionId) && (stage === undefined || candidate.stages.has(stage)));
    if (!version) {
      const what = stage === undefined ? `VersionId: ${versionId}` : `staging label: ${stage}`;
      throw new SecretsManagerError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${what}`);
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      SecretString: version.secretString,
      VersionStages: [...version.stages],
      CreatedDate: version.createdAt / 1000,
    };
  };

  const server = createServer((request, response) => {
    handle(request, response, { getSecretValue }).catch((error: unknown) => {
      respond(response, 500, { __type: 'InternalServiceError', message: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    createSecret(name, value) {
      if (secrets.some((secret) => secret.name === name)) throw new Error(`secret ${name} exists`);
      // Secrets Manager appends six random characters to the name in the ARN.
      const arn = `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${randomBytes(6).toString('base64url').slice(0, 6)}`;
      secrets.push({ name, arn, versions: [newVersion(value, ['AWSCURRENT'])] });
      return arn;
    },
    rotateSecret(secretId, value) {
      const secret = find(secretId);
      for (const version of secret.versions) {
        version.stages.delete('AWSPREVIOUS');
        if (version.stages.delete('AWSCURRENT')) version.stages.add('AWSPREVIOUS');
      }
      secret.versions.push(newVersion(value, ['AWSCURRENT']));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function newVersion(secretString: string, stages: string[]): SecretVersion {
  return { versionId: randomUUID(), secretString, stages: new Set(stages), createdAt: Date.now() };
}

type Operations = { getSecretValue: (body: Record<string, unknown>) => Record<string, unknown> };

async function handle(request: IncomingMessage, response: ServerResponse, operations: Operations): Promise<void> {
  const text = await readBody(request);
  try {
    if (request.method !== 'POST' || (request.url ?? '/').split('?')[0] !== '/') throw new SecretsManagerError('UnknownOperationException', 'POST / only');
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target !== 'secretsmanager.GetSecretValue') throw new SecretsManagerError('UnknownOperationException', `operation ${JSON.stringify(target)} is not emulated`);
    let body: unknown;
    try {
      body = JSON.parse(text === '' ? '{}' : text);
    } catch {
      throw new SecretsManagerError('SerializationException', 'the request body is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SecretsManagerError('SerializationException', 'the request body is not a JSON object');
    respond(response, 200, operations.getSecretValue(body as Record<string, unknown>));
  } catch (error: unknown) {
    if (!(error instanceof SecretsManagerError)) throw error;
    respond(response, 400, { __type: error.type, message: error.message }, error.type);
  }
}

function stringField(body: Record<string, unknown>, name: string, min: number, max: number, required: boolean): string | undefined {
  const value = body[name];
  if (value === undefined) {
    if (required) throw new SecretsManagerError('InvalidParameterException', `${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    throw new SecretsManagerError('InvalidParameterException', `${name} must be a string of ${min} to ${max} characters`);
  }
  return value;
}

function respond(response: ServerResponse, status: number, body: Record<string, unknown>, errorType?: string): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-requestid': randomUUID(),
  };
  if (errorType !== undefined) headers['x-amzn-errortype'] = errorType;
  response.writeHead(status, headers);
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
