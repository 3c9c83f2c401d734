/**
 * Alibaba Cloud ECS Session Manager as a session source: DescribeTerminalSessions, page by page
 * (MaxResults 100) to the end. There is no time filter; records live 30 days and at most 1,000
 * are kept, so the sweep (not this adapter) decides how far to read.
 *
 * Client: our own V3 signer (acs3-signer.ts, checked against Alibaba's published example) over
 * `fetch`, not the official SDK, because measurement says so. bench/alibaba-client.ts bundles
 * each with esbuild (minified, ESM, node platform, target node24) and times a cold `import()` in
 * fresh `node` processes (median of 7, interleaved), after checking both list the same sessions
 * from the emulator. 2026-11-30, Node 20, 2 shared cores:
 *
 *   client (same listing, mapping and retries)      bundle bytes   cold import (median of 7)
 *   official SDK (@alicloud/ecs20140526 7.11.6)        3,728,659   966 ms
 *   own V3 signer + fetch (this adapter)                   7,965    11 ms
 *
 * The SDK is CommonJS generated for all of ECS (about 1,500 operations with their models), so
 * nothing shakes out of it, and its ESM bundle needs a createRequire banner (it requires Node
 * built-ins at run time) that our Lambda bundles do not carry. Nearly 1 s on every sweeper cold
 * start and 3.7 MB, against an 80-line signer tested against the published example and the
 * SDK's own signature (test/integration/alibaba-emulator-signatures.test.ts). The SDK stays what
 * the emulator's tests talk through, so the emulator answers what the official client expects.
 *
 * Retries: throttling (Throttling*), 5xx answers, timeouts and dropped connections, with bounded,
 * jittered back-off. The clock offset comes from each answer's Date header, as for SSM.
 */
import { ListingTokenRejectedError, systemClock, type Clock, type SourcePage, type UnfilteredSessionSource } from '../../core/sweep/ports';
import type { SourceScope } from '../../core/session/session';
import { toObservedAlibabaSession, type AlibabaWireSession } from '../../core/sources/alibaba/alibaba-session';
import { DAY_MS } from '../../core/shared/time';
import { AlibabaApiCallError, AlibabaRpcClient, ecsEndpointUrl, explicitEndpointUrl, type RpcAnswer } from './alibaba-rpc-client';
import { withRetries, type RetryDecision, type RetryPolicy } from '../aws/backoff-retry';
import { offsetFromDate } from '../aws/source-clock';

export interface AlibabaTerminalSourceOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** The account label the archive files these sessions under (targets are alibaba#<label>#<region>). */
  accountLabel: string;
  region: string;
  /** Overrides Alibaba's endpoint rule, e.g. `http://127.0.0.1:4600` for the local emulator. */
  endpoint?: string;
  /** The clock the sweep plans with; Alibaba's offset from it is measured per response. */
  clock?: Clock;
  retry?: RetryPolicy;
  /** Per request, ms. Default 10 s. */
  timeoutMs?: number;
  historyRetentionDays?: number;
  recordCap?: number;
}

/** The largest page DescribeTerminalSessions allows. */
export const PAGE_SIZE = 100;
export const ECS_API_VERSION = '2014-05-26';
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export class MalformedListingError extends Error {
  override readonly name = 'MalformedListingError';
}

export class AlibabaTerminalSource implements UnfilteredSessionSource {
  readonly scope: SourceScope;
  readonly historyRetentionMs: number;
  readonly recordCap: number;
  /** The host the requests go to (Alibaba's rule for the region, or the explicit endpoint). */
  readonly endpoint: string;
  private readonly client: AlibabaRpcClient;
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private offset: number | undefined;

  constructor(options: AlibabaTerminalSourceOptions) {
    const baseUrl = options.endpoint === undefined ? ecsEndpointUrl(options.region) : explicitEndpointUrl(options.endpoint);
    const credentials = { accessKeyId: options.accessKeyId, accessKeySecret: options.accessKeySecret };
    this.client = new AlibabaRpcClient({ credentials, baseUrl, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
    this.endpoint = this.client.host;
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
      const page = pageOf(await this.page(token, first && startToken !== undefined));
      first = false;
      if (page.nextToken !== undefined && page.nextToken === token) throw new MalformedListingError('DescribeTerminalSessions returned the NextToken it was given: the listing would never end');
      yield page;
      token = page.nextToken;
    } while (token !== undefined);
  }

  sourceClockOffsetMs(): number | undefined {
    return this.offset;
  }

  private async page(token: string | undefined, keptToken: boolean): Promise<RpcAnswer> {
    const params: Record<string, string> = { RegionId: this.scope.region, MaxResults: String(PAGE_SIZE), ...(token === undefined ? {} : { NextToken: token }) };
    try {
      return await withRetries(() => this.send(params), retryDecision, this.retry);
    } catch (error: unknown) {
      // Only a token we handed in can be stale; one Alibaba gave a moment ago is Alibaba's fault.
      if (keptToken && error instanceof AlibabaApiCallError && error.code === 'InvalidParameter.NextToken') throw new ListingTokenRejectedError(`Alibaba refused the kept NextToken: ${error.message}`);
      throw error;
    }
  }

  private async send(params: Record<string, string>): Promise<RpcAnswer> {
    const sentAt = this.clock.now();
    const answer = await this.client.call('DescribeTerminalSessions', ECS_API_VERSION, params);
    if (answer.dateMs !== undefined) this.offset = offsetFromDate(answer.dateMs, sentAt, this.clock.now());
    return answer;
  }
}

function pageOf(answer: RpcAnswer): SourcePage {
  const body = answer.body as { NextToken?: unknown; Sessions?: { Session?: unknown } } | undefined;
  const wire = body?.Sessions?.Session ?? [];
  if (typeof body !== 'object' || body === null || !Array.isArray(wire) || (body.NextToken !== undefined && typeof body.NextToken !== 'string')) {
    throw new MalformedListingError(`DescribeTerminalSessions answered with something other than a page of sessions: ${JSON.stringify(body)?.slice(0, 200)}`);
  }
  const sessions = (wire as AlibabaWireSession[]).map(toObservedAlibabaSession);
  return typeof body.NextToken === 'string' && body.NextToken !== '' ? { sessions, nextToken: body.NextToken } : { sessions };
}

/** Throttling (any Throttling* code), 5xx answers, timeouts and dropped or refused connections are worth another try. */
export function retryDecision(error: unknown): RetryDecision {
  if (error instanceof AlibabaApiCallError) return { retry: error.code.startsWith('Throttling') || error.statusCode >= 500 };
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { retry: true };
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = (error as { code?: unknown } | null)?.code ?? cause?.code;
  return { retry: (typeof code === 'string' && NETWORK_CODES.has(code)) || (error instanceof TypeError && error.message === 'fetch failed') };
}
