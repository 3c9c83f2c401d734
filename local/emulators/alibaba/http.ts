/** The HTTP side of Alibaba's RPC style: the request as the signature sees it, and JSON answers with a Date header. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonBody } from '../http';
import type { IncomingCall } from './authenticate';

/** Decodes `a=1&b=x%20y` without turning "+" into a space: Alibaba's clients encode spaces as %20. */
export function parseQuery(search: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of search.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    const value = at < 0 ? '' : pair.slice(at + 1);
    params.set(safeDecode(key), safeDecode(value));
  }
  return params;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function incomingCall(request: IncomingMessage, body: string): IncomingCall {
  const url = request.url ?? '/';
  const at = url.indexOf('?');
  return {
    method: (request.method ?? 'GET').toUpperCase(),
    pathname: at < 0 ? url : url.slice(0, at),
    query: parseQuery(at < 0 ? '' : url.slice(at + 1)),
    headers: request.headers,
    body,
  };
}

/** `nowMs` (the emulated Alibaba clock) goes out as the Date header: the adapter reads the source's clock from it. */
export function sendJson(response: ServerResponse, status: number, body: object, requestId: string, nowMs: number): void {
  sendJsonBody(response, status, body, { 'Content-Type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId, Date: new Date(nowMs).toUTCString() });
}
