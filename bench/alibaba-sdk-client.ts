/**
 * The alternative the measurement weighed against our own signer: the same listing over the
 * official SDK (`@alicloud/ecs20140526`, V3 signatures), with the same mapping and retries.
 * Bundled by bench/alibaba-client.ts only; the product's adapter is
 * lambdas/adapters/alibaba/alibaba-terminal-source.ts (see its header for the numbers and the decision).
 */
import Ecs, { DescribeTerminalSessionsRequest } from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { withRetries } from '../lambdas/adapters/aws/backoff-retry';
import type { SourcePage } from '../lambdas/core/sweep/ports';
import { toObservedAlibabaSession, type AlibabaWireSession } from '../lambdas/core/sources/alibaba/alibaba-session';

export interface SdkListingOptions {
  accessKeyId: string;
  accessKeySecret: string;
  region: string;
  /** `host:port` over HTTP (the emulator); default: the SDK's endpoint rule, HTTPS. */
  endpoint?: string;
}

export async function* listTerminalSessionsViaSdk(options: SdkListingOptions): AsyncIterable<SourcePage> {
  const client = new Ecs(
    new $OpenApiUtil.Config({
      accessKeyId: options.accessKeyId,
      accessKeySecret: options.accessKeySecret,
      regionId: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint, protocol: 'HTTP' } : {}),
    }),
  );
  let token: string | undefined;
  do {
    const request = new DescribeTerminalSessionsRequest({ regionId: options.region, maxResults: 100, ...(token ? { nextToken: token } : {}) });
    const response = await withRetries(
      () => client.describeTerminalSessions(request),
      (error) => {
        const fields = error as { code?: string; statusCode?: number };
        return { retry: (fields.code ?? '').startsWith('Throttling') || (fields.statusCode ?? 500) >= 500 };
      },
    );
    token = response.body?.nextToken || undefined;
    const sessions = (response.body?.sessions?.session ?? []).map((session) => toObservedAlibabaSession(session.toMap() as AlibabaWireSession));
    yield token ? { sessions, nextToken: token } : { sessions };
  } while (token);
}
