/**
 * Alibaba Cloud ECS Session Manager as a session source: DescribeTerminalSessions, page by page
 * (MaxResults 100) to the end. There is no time filter; records live 30 days and at most 1,000
 * are kept, so the sweep (not this adapter) decides how far to read.
 *
 * Client: the official SDK (`@alicloud/ecs20140526` over `@alicloud/openapi-core`), as issue 14
 * asks unless measurement says otherwise. Measured by bench/alibaba-client.ts (esbuild, minified,
 * ESM, node platform; cold import = median of 7 fresh `node` processes importing the bundle), on
 * this 2-core machine, 2026-11-30:
 *
 *   client                                   bundle bytes   cold import (median)
 *   official SDK (this adapter)              MEASURE_SDK_BYTES   MEASURE_SDK_MS
 *   own V3 signer + fetch (acs3-signer.ts)   MEASURE_OWN_BYTES   MEASURE_OWN_MS
 *
 * MEASURE_DECISION
 *
 * Retries: the SDK retries nothing unless configured; this adapter retries throttling
 * (Throttling*), 5xx answers and dropped connections with bounded, jittered back-off. The clock
 * offset comes from each answer's Date header, as for SSM.
 */
import type Ecs from '@alicloud/ecs20140526';
import { DescribeTerminalSessionsRequest, type DescribeTerminalSessionsResponse } from '@alicloud/ecs20140526';
import { ListingTokenRejectedError, systemClock, type Clock, type SourcePage, type UnfilteredSessionSource } from '../core/ports';
import type { SourceScope } from '../core/session';
import { toObservedAlibabaSession, type AlibabaWireSession } from '../core/sources/alibaba-session';
import { DAY_MS } from '../core/time';
import { createEcsClient } from './alibaba-ecs-client';
import { withRetries, type RetryDecision, type RetryPolicy } from './backoff-retry';
import { offsetFromDate } from './source-clock';

export interface AlibabaTerminalSourceOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** The account label the archive files these sessions under (targets are alibaba#<label>#<region>). */
  accountLabel: string;
  region: string;
  /** Overrides Alibaba's endpoint rule, e.g. `http://127.0.0.1:4600` for the local emulator. */
  endpoint?: string;
  /** A ready client instead of one built from the options above (its endpoint and keys then stand). */
  client?: Ecs;
  /** The clock the sweep plans with; Alibaba's offset from it is measured per response. */
  clock?: Clock;
  retry?: RetryPolicy;
  /** Read timeout per request, ms. Default 10 s. */
  timeoutMs?: number;
  historyRetentionDays?: number;
  recordCap?: number;
}

/** The largest page DescribeTerminalSessions allows. */
export const PAGE_SIZE = 100;
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

export class AlibabaTerminalSource implements UnfilteredSessionSource {
  readonly scope: SourceScope;
  readonly historyRetentionMs: number;
  readonly recordCap: number;
  /** The host the requests go to (Alibaba's rule for the region, or the explicit endpoint). */
  readonly endpoint: string;
  private readonly client: Ecs;
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private offset: number | undefined;

  constructor(options: AlibabaTerminalSourceOptions) {
    this.client = options.client ?? createEcsClient(options);
    this.endpoint = this.client._endpoint;
    this.clock = options.clock ?? systemClock;
    this.retry = options.retry ?? {};
    this.scope = { source: 'alibaba', accountId: options.accountLabel, region: options.region };
    this.historyRetentionMs = (options.historyRetentionDays ?? 30) * DAY_MS;
    this.recordCap = options.recordCap ?? 1000;
  }

  async *listPages(startToken?: string): AsyncIterable<SourcePage> {
    let token = startToken;
    let first = true;
    do {
      const response = await this.page(token, first && startToken !== undefined);
      first = false;
      const wire = response.body?.sessions?.session ?? [];
      const sessions = wire.map((session) => toObservedAlibabaSession(session.toMap() as AlibabaWireSession));
      const next = response.body?.nextToken || undefined;
      if (next !== undefined && next === token) throw new Error('DescribeTerminalSessions returned the NextToken it was given: the listing would never end');
      yield next === undefined ? { sessions } : { sessions, nextToken: next };
      token = next;
    } while (token !== undefined);
  }

  sourceClockOffsetMs(): number | undefined {
    return this.offset;
  }

  private async page(token: string | undefined, keptToken: boolean): Promise<DescribeTerminalSessionsResponse> {
    const request = new DescribeTerminalSessionsRequest({ regionId: this.scope.region, maxResults: PAGE_SIZE, ...(token === undefined ? {} : { nextToken: token }) });
    try {
      return await withRetries(() => this.send(request), retryDecision, this.retry);
    } catch (error: unknown) {
      // Only a token we handed in can be stale; one Alibaba gave a moment ago is Alibaba's fault.
      if (keptToken && codeOf(error) === 'InvalidParameter.NextToken') throw new ListingTokenRejectedError(`Alibaba refused the kept NextToken: ${messageOf(error)}`);
      throw error;
    }
  }

  private async send(request: DescribeTerminalSessionsRequest): Promise<DescribeTerminalSessionsResponse> {
    const sentAt = this.clock.now();
    const response = await this.client.describeTerminalSessions(request);
    const date = Date.parse(response.headers?.date ?? '');
    if (!Number.isNaN(date)) this.offset = offsetFromDate(date, sentAt, this.clock.now());
    return response;
  }
}

/** Throttling (any Throttling* code), 5xx answers and dropped or refused connections are worth another try. */
export function retryDecision(error: unknown): RetryDecision {
  const code = codeOf(error) ?? '';
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (code.startsWith('Throttling')) {
    const after = (error as { retryAfter?: unknown }).retryAfter;
    return typeof after === 'number' && after > 0 ? { retry: true, afterMs: after } : { retry: true };
  }
  if (typeof status === 'number') return { retry: status >= 500 };
  return { retry: NETWORK_CODES.has(code) || /socket hang up|timeout|ECONNRESET/i.test(messageOf(error)) };
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
