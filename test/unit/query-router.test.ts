import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MethodNotAllowedError, RouteNotFoundError } from '../../lambdas/core/query/errors';
import { clientErrorResponse, rawParameters } from '../../lambdas/api/http';
import { matchRoute } from '../../lambdas/api/router';

type RouteEvent = Pick<APIGatewayProxyEvent, 'httpMethod' | 'path' | 'resource' | 'pathParameters'>;
const proxied = (httpMethod: string, path: string): RouteEvent => ({ httpMethod, path, resource: '/{proxy+}', pathParameters: { proxy: path.slice(1) } });

describe('router', () => {
  it.each([
    ['/sessions', { name: 'listSessions' }],
    ['/sessions/alice-0123', { name: 'getSession', sessionId: 'alice-0123' }],
    ['/sessions/a%40b%2Fc', { name: 'getSession', sessionId: 'a@b/c' }],
    ['/sessions/100%', { name: 'getSession', sessionId: '100%' }],
    ['/coverage', { name: 'coverage' }],
    ['/openapi.json', { name: 'openapi' }],
  ])('matches GET %s through a proxy resource', (path, expected) => {
    expect(matchRoute(proxied('GET', path))).toEqual(expected);
  });

  it('uses the resource template and decoded path parameters when API Gateway routes per resource', () => {
    const event: RouteEvent = { httpMethod: 'GET', path: '/prod/sessions/x%20y', resource: '/sessions/{sessionId}', pathParameters: { sessionId: 'x y' } };
    expect(matchRoute(event)).toEqual({ name: 'getSession', sessionId: 'x y' });
  });

  it.each(['/', '/session', '/sessions/', '/sessions/a/b', '/SESSIONS', '/coverage/x', '/openapi.yaml', '/sessions//x'])('answers %s with 404', (path) => {
    expect(() => matchRoute(proxied('GET', path))).toThrow(RouteNotFoundError);
  });

  it.each([
    ['POST', '/sessions'],
    ['DELETE', '/sessions/abc'],
    ['PUT', '/coverage'],
    ['HEAD', '/openapi.json'],
    ['OPTIONS', '/sessions'],
  ])('answers %s %s with 405 and Allow: GET', (method, path) => {
    let caught: unknown;
    try {
      matchRoute(proxied(method, path));
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MethodNotAllowedError);
    const response = clientErrorResponse(caught as MethodNotAllowedError);
    expect(response.statusCode).toBe(405);
    expect(response.headers?.allow).toBe('GET');
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'MethodNotAllowed', message: expect.stringContaining(method) as unknown } });
  });

  it('an unknown path is 404 whatever the method', () => {
    expect(() => matchRoute(proxied('POST', '/nothing'))).toThrow(RouteNotFoundError);
  });
});

describe('raw parameters from the proxy event', () => {
  it('prefer the multi-value map, which shows repeats', () => {
    expect(rawParameters({ queryStringParameters: { a: '2' }, multiValueQueryStringParameters: { a: ['1', '2'] } })).toEqual({ a: ['1', '2'] });
  });

  it('fall back to the single-value map', () => {
    expect(rawParameters({ queryStringParameters: { a: '1' }, multiValueQueryStringParameters: null })).toEqual({ a: ['1'] });
    expect(rawParameters({ queryStringParameters: null, multiValueQueryStringParameters: null })).toEqual({});
  });
});
