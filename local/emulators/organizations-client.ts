/**
 * A small signed AWS JSON 1.1 caller for Organizations: SigV4 (service `organizations`,
 * us-east-1) with @smithy/signature-v4, errors thrown with the service's error name. It
 * implements the discovery port so tests and the local stack can drive the Organizations
 * emulator while @aws-sdk/client-organizations is not a dependency; deployed code uses the
 * SDK's `Organizations` client, which satisfies the same port.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { ListAccountsForParentInput, ListChildrenInput, OrganizationsAccountShape, OrganizationsApi } from '../../lambdas/adapters/aws/organizations-accounts';

/** An error answer, named as the service named it (`ParentNotFoundException`, `TooManyRequestsException`…). */
export class OrganizationsServiceError extends Error {
  constructor(
    name: string,
    message: string,
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
    this.name = name;
  }
}

export interface OrganizationsClientOptions {
  endpoint: string;
  credentials: AwsCredentialIdentity;
  /** Organizations signs in us-east-1 whatever the caller's region. */
  region?: string;
}

type Json = Record<string, unknown>;

export class OrganizationsJsonClient implements OrganizationsApi {
  private readonly signer: SignatureV4;
  private readonly url: URL;

  constructor(options: OrganizationsClientOptions) {
    this.url = new URL(options.endpoint);
    this.signer = new SignatureV4({ service: 'organizations', region: options.region ?? 'us-east-1', credentials: options.credentials, sha256: Sha256 });
  }

  listAccountsForParent(input: ListAccountsForParentInput): Promise<{ Accounts?: OrganizationsAccountShape[]; NextToken?: string }> {
    return this.call('ListAccountsForParent', { ...input });
  }

  listChildren(input: ListChildrenInput): Promise<{ Children?: Array<{ Id?: string; Type?: string }>; NextToken?: string }> {
    return this.call('ListChildren', { ...input });
  }

  listRoots(input: { NextToken?: string; MaxResults?: number } = {}): Promise<{ Roots?: Array<{ Id?: string; Name?: string }>; NextToken?: string }> {
    return this.call('ListRoots', { ...input });
  }

  describeAccount(input: { AccountId: string }): Promise<{ Account?: OrganizationsAccountShape }> {
    return this.call('DescribeAccount', { ...input });
  }

  /** One request; the answer's JSON, or an OrganizationsServiceError. */
  async call<T>(operation: string, input: Json): Promise<T> {
    const body = JSON.stringify(input);
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port === '' ? undefined : Number(this.url.port),
      path: '/',
      query: {},
      headers: {
        host: this.url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSOrganizationsV20161128.${operation}`,
      },
      body,
    });
    const response = await fetch(new URL('/', this.url), { method: 'POST', headers: signed.headers, body });
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.status >= 300) {
      const name = typeof parsed.__type === 'string' ? (parsed.__type.split('#').pop() as string) : `Http${response.status}`;
      const message = typeof parsed.Message === 'string' ? parsed.Message : typeof parsed.message === 'string' ? parsed.message : text;
      throw new OrganizationsServiceError(name, message, response.status, parsed);
    }
    return parsed as T;
  }
}

function parseJson(text: string): Json {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
  } catch {
    return {};
  }
}
