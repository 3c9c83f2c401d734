/**
 * One request to the emulator, in the order Alibaba's gateway takes it: the path and method, the
 * signature, the action and version, then the injected fault (if any), then the call itself.
 * Every failure goes out as Alibaba's JSON error body with its status.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorClock } from '../../ssm-emulator/clock';
import type { FaultInjector } from '../../ssm-emulator/faults';
import { readBody } from '../../ssm-emulator/http';
import type { RequestAuthenticator } from './authenticate';
import { describeTerminalSessions, type ListingContext } from './describe-terminal-sessions';
import { AlibabaApiError, MESSAGES } from './errors';
import { incomingCall, sendJson } from './http';

export const ECS_ACTION = 'DescribeTerminalSessions';
export const ECS_VERSION = '2014-05-26';

export interface AlibabaEmulatorStats {
  requests: number;
  /** DescribeTerminalSessions pages answered. */
  pages: number;
  /** Error answers by Code (injected faults included). */
  errors: Record<string, number>;
  faultsInjected: number;
  /** Requests per signature version that passed authentication. */
  bySignature: { v3: number; v2: number };
}

export interface HandlerDependencies {
  context: ListingContext;
  authenticator: RequestAuthenticator;
  signingClock: EmulatorClock;
  faults: FaultInjector;
  stats: AlibabaEmulatorStats;
  hostId: string;
  delay(ms: number): Promise<void>;
}

export function emptyStats(): AlibabaEmulatorStats {
  return { requests: 0, pages: 0, errors: {}, faultsInjected: 0, bySignature: { v3: 0, v2: 0 } };
}

export function requestHandler(deps: HandlerDependencies): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { context, stats } = deps;
  return async (request, response) => {
    stats.requests += 1;
    const requestId = randomUUID().toUpperCase();
    const body = await readBody(request);
    if (body === undefined) {
      request.socket.destroy();
      return;
    }
    try {
      const call = incomingCall(request, body);
      if (call.pathname !== '/' || (call.method !== 'POST' && call.method !== 'GET')) throw new AlibabaApiError('InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
      const caller = deps.authenticator.authenticate(call, deps.signingClock.now());
      stats.bySignature[caller.signatureVersion] += 1;
      if (caller.action !== ECS_ACTION) throw new AlibabaApiError('InvalidAction.NotFound', `Specified api is not found, please check your url and method. This emulator answers ${ECS_ACTION} only.`);
      if (caller.version !== ECS_VERSION) throw new AlibabaApiError('InvalidVersion', `Specified parameter Version is not valid: ECS is ${ECS_VERSION}.`);
      const fault = deps.faults.decide(ECS_ACTION);
      if (fault.delayMs > 0 || fault.failure) stats.faultsInjected += 1;
      if (fault.delayMs > 0) await deps.delay(fault.delayMs);
      if (fault.failure === 'drop') {
        request.socket.destroy();
        return;
      }
      if (fault.failure === 'throttle') throw new AlibabaApiError('Throttling.User', MESSAGES.throttled);
      if (fault.failure === 'error') throw new AlibabaApiError('InternalError', MESSAGES.internal);
      const page = describeTerminalSessions(caller.params, context, requestId);
      stats.pages += 1;
      sendJson(response, 200, page, requestId, context.clock.now());
    } catch (error: unknown) {
      const apiError = error instanceof AlibabaApiError ? error : unexpected(error);
      stats.errors[apiError.code] = (stats.errors[apiError.code] ?? 0) + 1;
      sendJson(response, apiError.status, apiError.toBody(requestId, deps.hostId), requestId, context.clock.now());
    }
  };
}

/** A bug in the emulator: answered as Alibaba would (500), with a trace for whoever runs it. */
function unexpected(error: unknown): AlibabaApiError {
  console.error('Alibaba emulator: unexpected error', error);
  return new AlibabaApiError('InternalError', MESSAGES.internal);
}
