/** The AWS JSON 1.1 wire details of the emulator: body, caller, operation, response. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonBody } from '../emulators/http';
import { SsmApiError } from './errors';
import { isOperationName, type CallerIdentity, type OperationName } from './operations';

const MAX_BODY_BYTES = 1024 * 1024;
const TARGET_PREFIX = 'AmazonSSM.';
const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/;

/** Reads the whole body; undefined when it is too large or the client went away. */
export function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', () => resolve(undefined));
  });
}

/** The access key id and region from the SigV4 Credential scope; the signature itself is not checked. */
export function callerFrom(authorization: string | undefined): CallerIdentity {
  if (!authorization) {
    throw new SsmApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const match = CREDENTIAL_SCOPE.exec(authorization);
  if (!authorization.startsWith('AWS4-HMAC-SHA256 ') || !match) {
    throw new SsmApiError(
      'IncompleteSignatureException',
      'Authorization header requires a Credential parameter of the form Credential=<key>/<date>/<region>/ssm/aws4_request',
    );
  }
  return { accessKeyId: match[1] as string, region: match[2] as string };
}

export function operationFrom(target: string | string[] | undefined): OperationName {
  if (typeof target !== 'string' || target === '') {
    throw new SsmApiError('UnknownOperationException', 'Missing X-Amz-Target header');
  }
  const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (!isOperationName(name)) {
    throw new SsmApiError('UnknownOperationException', `Unknown operation ${target}`);
  }
  return name;
}

/** `ssmNowMs` goes out as the Date header: the SDK sets its clock offset from it, as with real SSM. */
export function send(response: ServerResponse, status: number, body: Record<string, unknown>, requestId: string, ssmNowMs: number): void {
  sendJsonBody(response, status, body, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': requestId, Date: new Date(ssmNowMs).toUTCString() });
}

export function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
