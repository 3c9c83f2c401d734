/**
 * The API's routes. API Gateway may route each resource to this function (event.resource is the
 * template, pathParameters are decoded) or send everything through a `{proxy+}` resource, as the
 * local server does; then the path itself is matched. Unknown paths are 404; a known path with a
 * method it does not accept is 405 with an `Allow` header.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MethodNotAllowedError, RouteNotFoundError } from '../core/query/errors';

export type RouteName = 'listSessions' | 'getSession' | 'coverage' | 'listFindings' | 'openapi';

export interface RouteDefinition {
  name: RouteName;
  /** The API Gateway resource template. */
  resource: string;
  methods: readonly string[];
}

export const ROUTES: readonly RouteDefinition[] = [
  { name: 'listSessions', resource: '/sessions', methods: ['GET'] },
  { name: 'getSession', resource: '/sessions/{sessionId}', methods: ['GET'] },
  { name: 'coverage', resource: '/coverage', methods: ['GET'] },
  { name: 'listFindings', resource: '/findings', methods: ['GET'] },
  { name: 'openapi', resource: '/openapi.json', methods: ['GET'] },
];

export interface MatchedRoute {
  name: RouteName;
  sessionId?: string;
}

type RouteEvent = Pick<APIGatewayProxyEvent, 'httpMethod' | 'path' | 'resource' | 'pathParameters'>;

export function matchRoute(event: RouteEvent): MatchedRoute {
  const found = byResource(event) ?? byPath(event.path);
  if (!found) throw new RouteNotFoundError(`no route for ${describePath(event.path)}; routes: ${ROUTES.map((route) => route.resource).join(', ')}`);
  if (!found.route.methods.includes(event.httpMethod)) {
    throw new MethodNotAllowedError(event.httpMethod, found.route.resource, found.route.methods);
  }
  return found.sessionId === undefined ? { name: found.route.name } : { name: found.route.name, sessionId: found.sessionId };
}

interface Found {
  route: RouteDefinition;
  sessionId?: string;
}

function byResource(event: RouteEvent): Found | undefined {
  const route = ROUTES.find((candidate) => candidate.resource === event.resource);
  if (!route) return undefined;
  if (route.name !== 'getSession') return { route };
  const sessionId = event.pathParameters?.sessionId;
  return sessionId === undefined ? undefined : { route, sessionId };
}

const SESSION_PATH = /^\/sessions\/([^/]+)$/;

function byPath(path: string): Found | undefined {
  const exact = ROUTES.find((route) => route.resource === path && !route.resource.includes('{'));
  if (exact) return { route: exact };
  const match = SESSION_PATH.exec(path);
  const getSession = ROUTES.find((route) => route.name === 'getSession');
  if (!match || !getSession) return undefined;
  return { route: getSession, sessionId: decodeSegment(match[1] ?? '') };
}

/** A segment that is not valid percent-encoding is taken as it is: it then matches no session. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function describePath(path: string): string {
  const cut = path.length > 100 ? `${path.slice(0, 100)}…` : path;
  return JSON.stringify(cut);
}
