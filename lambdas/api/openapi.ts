/**
 * The API's OpenAPI 3 document, generated from the zod schemas that validate requests
 * (parameters) and describe responses. Served at /openapi.json and committed as
 * docs/openapi.json (`npx tsx lambdas/api/write-openapi.ts`; a test keeps the two equal).
 */
import * as z from 'zod/mini';
import { findingSchema } from '../core/compliance/finding';
import { findingsQuerySchema } from '../core/query/findings-query';
import { sessionQuerySchema } from '../core/query/parameters';
import { coverageReportSchema, errorBodySchema, findingsPageSchema, sessionSchema, sessionsPageSchema } from '../core/query/response-schemas';
import { CONTENT_TYPES } from '../core/query/formats';
import { MAX_SESSION_ID_LENGTH } from '../core/query/get-session';
import { NEXT_TOKEN_HEADER } from './http';

type JsonObject = Record<string, unknown>;

export const API_VERSION = '1.0.0';

function jsonSchema(schema: z.core.$ZodType): JsonObject {
  // OpenAPI 3.0 schema objects are a JSON Schema dialect of their own; zod emits it directly.
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'output' }) as JsonObject;
  return rest;
}

/** Each property of the request schema becomes a query parameter; its description moves up. */
function queryParameters(schema: z.core.$ZodType): JsonObject[] {
  const properties = (jsonSchema(schema).properties ?? {}) as Record<string, JsonObject>;
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...schema } = property;
    return { name, in: 'query', required: false, description, schema };
  });
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });
const noParameters = 'Takes no query parameters: any given is answered with 400 UnknownParameter.';

export function buildOpenApiDocument(): JsonObject {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Session Archive query API',
      version: API_VERSION,
      description:
        'Read-only access to archived AWS Session Manager sessions. Every request needs SigV4 (API Gateway AWS_IAM authorization). ' +
        'Errors are {"error":{"code","message"}} with status 400, 404 or 405; a 500 never carries details.',
    },
    security: [{ sigv4: [] }],
    paths: {
      '/sessions': {
        get: {
          operationId: 'listSessions',
          summary: 'Sessions by time range, target, owner, status, document, access type and reason, one bounded page at a time.',
          description:
            'Each request does bounded work: a page can hold fewer than `limit` sessions (even none) and still carry a nextToken. ' +
            'Follow nextToken until it is absent. Tokens are bound to the filters and order that made them and expire 24 hours after they are issued (configurable).',
          parameters: queryParameters(sessionQuerySchema),
          responses: {
            '200': {
              description: 'One page of sessions, in start-date order.',
              headers: {
                [NEXT_TOKEN_HEADER]: { description: 'The next page token, when there is one (all formats).', schema: { type: 'string' } },
              },
              content: {
                [CONTENT_TYPES.json]: { schema: ref('SessionsPage') },
                [CONTENT_TYPES.jsonl]: { schema: { type: 'string', description: 'One Session JSON object per line.' } },
                [CONTENT_TYPES.csv]: {
                  schema: {
                    type: 'string',
                    description:
                      "RFC 4180 with a header row. Cells starting with = + - @ tab CR (or ') get a leading apostrophe so spreadsheets show them as text.",
                  },
                },
              },
            },
            '400': errorResponse('A parameter is malformed, out of range, repeated or unknown, or nextToken is invalid, expired (code ExpiredNextToken), signed with a rotated-out key, or belongs to another query.'),
            '405': errorResponse('Only GET is allowed.'),
          },
        },
      },
      '/sessions/{sessionId}': {
        get: {
          operationId: 'getSession',
          summary: 'One archived session.',
          description: noParameters,
          parameters: [
            { name: 'sessionId', in: 'path', required: true, description: 'Session id.', schema: { type: 'string', minLength: 1, maxLength: MAX_SESSION_ID_LENGTH } },
          ],
          responses: {
            '200': { description: 'The session.', content: { 'application/json': { schema: ref('Session') } } },
            '400': errorResponse('The session id is too long, or a query parameter was given.'),
            '404': errorResponse('No session with this id is archived.'),
            '405': errorResponse('Only GET is allowed.'),
          },
        },
      },
      '/coverage': {
        get: {
          operationId: 'getCoverage',
          summary: 'Swept ranges, gaps and watermarks per source, account and region.',
          description: noParameters,
          responses: {
            '200': { description: 'The coverage report.', content: { 'application/json': { schema: ref('CoverageReport') } } },
            '400': errorResponse('A query parameter was given.'),
            '405': errorResponse('Only GET is allowed.'),
          },
        },
      },
      '/findings': {
        get: {
          operationId: 'listFindings',
          summary: 'Compliance findings by session start time, rule, target and owner, one bounded page at a time.',
          description:
            'One finding per session and rule that it broke (docs/events.md). Same paging as /sessions: a page can be short or empty ' +
            'and still carry a nextToken; follow it until it is absent. Tokens are bound to the filters and order that made them and expire like those of /sessions.',
          parameters: queryParameters(findingsQuerySchema),
          responses: {
            '200': {
              description: 'One page of findings, in session start-date order.',
              headers: {
                [NEXT_TOKEN_HEADER]: { description: 'The next page token, when there is one (all formats).', schema: { type: 'string' } },
              },
              content: {
                [CONTENT_TYPES.json]: { schema: ref('FindingsPage') },
                [CONTENT_TYPES.jsonl]: { schema: { type: 'string', description: 'One Finding JSON object per line.' } },
                [CONTENT_TYPES.csv]: {
                  schema: {
                    type: 'string',
                    description:
                      "RFC 4180 with a header row. Cells starting with = + - @ tab CR (or ') get a leading apostrophe so spreadsheets show them as text.",
                  },
                },
              },
            },
            '400': errorResponse('A parameter is malformed, out of range, repeated or unknown, or nextToken is invalid, expired (code ExpiredNextToken), signed with a rotated-out key, or belongs to another query.'),
            '405': errorResponse('Only GET is allowed.'),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          summary: 'This document.',
          description: noParameters,
          responses: {
            '200': { description: 'The OpenAPI 3 document.', content: { 'application/json': { schema: { type: 'object' } } } },
            '400': errorResponse('A query parameter was given.'),
            '405': errorResponse('Only GET is allowed.'),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4 (service execute-api).',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
      schemas: {
        Session: jsonSchema(sessionSchema),
        SessionsPage: withItemsRef(jsonSchema(sessionsPageSchema), 'sessions', 'Session'),
        CoverageReport: jsonSchema(coverageReportSchema),
        Finding: jsonSchema(findingSchema),
        FindingsPage: withItemsRef(jsonSchema(findingsPageSchema), 'findings', 'Finding'),
        Error: jsonSchema(errorBodySchema),
      },
    },
  };
}

/** A page schema refers to its item schema instead of repeating it. */
function withItemsRef(page: JsonObject, property: string, item: string): JsonObject {
  const properties = page.properties as Record<string, JsonObject>;
  return { ...page, properties: { ...properties, [property]: { type: 'array', items: ref(item) } } };
}

/** The text committed as docs/openapi.json. */
export function renderOpenApiJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
