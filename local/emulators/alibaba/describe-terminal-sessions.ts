/**
 * DescribeTerminalSessions: RegionId (required, known), InstanceId, SessionId, MaxResults (1-100,
 * default 10) and NextToken, over the retained records in the configured order. There is no time
 * filter. Each answered page is recorded as shown.
 */
import type { AlibabaWireSession } from '../../../lambdas/core/sources/alibaba/alibaba-session';
import type { EmulatorClock } from '../../ssm-emulator/clock';
import { AlibabaApiError } from './errors';
import type { NextTokenCodec, TokenBinding } from './next-token';
import { comparePositions, type ListingOrder } from './result-order';
import { retainedAt, type RetentionRules } from './retention';
import { toWireSession, type EmulatedTerminalSession } from './session-model';
import type { TerminalSessionStore } from './session-store';
import type { ShownPages } from './shown-recorder';

export const DEFAULT_MAX_RESULTS = 10;
export const MAX_MAX_RESULTS = 100;

export interface ListingContext {
  store: TerminalSessionStore;
  clock: EmulatorClock;
  regions: ReadonlySet<string>;
  retention: RetentionRules;
  order: ListingOrder;
  tokens: NextTokenCodec;
  shown: ShownPages;
}

export interface TerminalSessionsPage {
  RequestId: string;
  NextToken: string;
  Sessions: { Session: AlibabaWireSession[] };
}

export function describeTerminalSessions(params: ReadonlyMap<string, string>, context: ListingContext, requestId: string): TerminalSessionsPage {
  const regionId = params.get('RegionId');
  if (!regionId) throw new AlibabaApiError('MissingRegionId', 'RegionId is mandatory for this action.');
  if (!context.regions.has(regionId)) throw new AlibabaApiError('InvalidRegionId.NotFound', 'The specified parameter RegionId does not exist.');
  const maxResults = maxResultsOf(params.get('MaxResults'));
  const binding: TokenBinding = { regionId, order: context.order.current };
  const instanceId = nonEmpty(params.get('InstanceId'));
  const sessionId = nonEmpty(params.get('SessionId'));
  if (instanceId !== undefined) binding.instanceId = instanceId;
  if (sessionId !== undefined) binding.sessionId = sessionId;
  const nowMs = context.clock.now();
  const startToken = nonEmpty(params.get('NextToken'));
  const after = startToken === undefined ? undefined : context.tokens.read(startToken, binding, nowMs);

  const matching = retainedAt(context.store.inRegion(regionId), nowMs, context.retention).filter((session) => matches(session, nowMs, instanceId, sessionId));
  const ordered = context.order.sort(matching);
  const remaining = after === undefined ? ordered : ordered.filter((session) => comparePositions(context.order.positionOf(session), after) > 0);
  const page = remaining.slice(0, maxResults);
  const last = page[page.length - 1];
  const nextToken = remaining.length > maxResults && last ? context.tokens.issue(context.order.positionOf(last), binding, nowMs) : '';
  const sessions = context.order.arrangePage(page.map((session) => toWireSession(session, nowMs)));
  context.shown.record({ atMs: nowMs, requestId, regionId, ...(startToken === undefined ? {} : { startToken }), nextToken, sessions });
  return { RequestId: requestId, NextToken: nextToken, Sessions: { Session: sessions } };
}

function maxResultsOf(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_MAX_RESULTS;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_MAX_RESULTS) {
    throw new AlibabaApiError('InvalidParameter.MaxResults', `The specified parameter MaxResults is not valid: ${JSON.stringify(text)} is not an integer from 1 to ${MAX_MAX_RESULTS}.`);
  }
  return value;
}

function matches(session: EmulatedTerminalSession, nowMs: number, instanceId: string | undefined, sessionId: string | undefined): boolean {
  if (sessionId !== undefined && session.sessionId !== sessionId) return false;
  return instanceId === undefined || session.connections.some((connection) => connection.startMs <= nowMs && connection.instanceId === instanceId);
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}
