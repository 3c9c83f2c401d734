/**
 * The query API as a middy handler, built from its dependencies so that the Lambda entry point,
 * the local HTTP server and the tests all run the same code with their own client and table.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { systemClock, type Clock } from '../core/sweep/ports';
import { DEFAULT_WORK_BUDGET, type WorkBudget } from '../core/query/collect-page';
import { describeCoverage, parseCoverageQuery } from '../core/query/coverage';
import { findFindings } from '../core/query/find-findings';
import { findSessions } from '../core/query/find-sessions';
import { renderFindings } from '../core/query/findings-formats';
import { parseFindingsQuery } from '../core/query/findings-query';
import { renderSessions } from '../core/query/formats';
import { getSession } from '../core/query/get-session';
import { createPageTokenKeys, DEFAULT_TOKEN_TTL_SECONDS } from '../core/query/page-token';
import { parseSessionQuery, rejectAnyParameters } from '../core/query/parameters';
import type { CoverageReader, FindingIndexReader, SessionIndexReader, SessionLookup, TimeIndexStateReader } from '../core/query/ports';
import { DEFAULT_SERVICE_NAME, METRICS_NAMESPACE } from './config';
import { jsonErrorResponses } from './error-mapper';
import { jsonResponse, NEXT_TOKEN_HEADER, rawParameters, textResponse } from './http';
import { renderOpenApiJson } from './openapi';
import { callerOf, findingsQueryRecord, sessionQueryRecord, type RequestRecord } from './request-log';
import { matchRoute } from './router';

export interface ApiDependencies {
  reader: SessionIndexReader & SessionLookup & CoverageReader;
  /** Days or months, and the archive's bounds; by default the reader, when it can say. */
  timeIndex?: TimeIndexStateReader;
  /** Serves GET /findings; without it that route answers 500 (a server set up without findings). */
  findings?: FindingIndexReader;
  /** Signs and verifies pagination tokens (at least 32 characters). */
  tokenSecret: string;
  /** The secret before the last rotation: its tokens are still accepted until they expire. */
  previousTokenSecret?: string;
  /** How long a token is accepted after it was issued (default 24 hours). */
  tokenTtlSeconds?: number;
  logger?: Logger;
  metrics?: Metrics;
  clock?: Clock;
  budget?: WorkBudget;
  /**
   * A page stops reading after this long, whatever the Lambda has left: API Gateway gives up on
   * an integration after 29 s, and an auditor should get a partial page before that.
   */
  requestTimeBudgetMs?: number;
}

function isTimeIndexStateReader(reader: object): reader is TimeIndexStateReader {
  return typeof (reader as Partial<TimeIndexStateReader>).readTimeIndexState === 'function';
}

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const DEFAULT_REQUEST_TIME_BUDGET_MS = 10_000;
/** Left for rendering the page and for API Gateway when the Lambda itself is about to time out. */
const LAMBDA_RESERVE_MS = 2_000;

export function createApiHandler(deps: ApiDependencies): ApiHandler {
  const logger = deps.logger ?? new Logger({ serviceName: DEFAULT_SERVICE_NAME });
  const metrics = deps.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: DEFAULT_SERVICE_NAME });
  const clock = deps.clock ?? systemClock;
  const tokenKeys = createPageTokenKeys(
    { current: deps.tokenSecret, ...(deps.previousTokenSecret === undefined ? {} : { previous: deps.previousTokenSecret }) },
    deps.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
  );
  const budget = deps.budget ?? DEFAULT_WORK_BUDGET;
  // The DynamoDB reader also knows the time index's state; a reader that does not walks months.
  const timeIndex = deps.timeIndex ?? (isTimeIndexStateReader(deps.reader) ? deps.reader : undefined);
  const requestTimeBudgetMs = deps.requestTimeBudgetMs ?? DEFAULT_REQUEST_TIME_BUDGET_MS;
  // Rendered on first request (about 8 ms) rather than at cold start, then kept: it only changes with the code.
  let openApiJson: string | undefined;

  const routeRequest = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    metrics.addMetric('Requests', MetricUnit.Count, 1);
    const route = matchRoute(event);
    const parameters = rawParameters(event);
    // Every read is on record: who asked, and for what (logged before reading, so a failed read is too).
    const record = (details: Omit<RequestRecord, 'route' | 'caller'> = {}): void => {
      const caller = callerOf(event);
      logger.info('request', { route: route.name, ...(caller === undefined ? {} : { caller }), ...details });
    };
    switch (route.name) {
      case 'listSessions': {
        const query = parseSessionQuery(parameters);
        record(sessionQueryRecord(query));
        const stopAt = Date.now() + Math.min(requestTimeBudgetMs, context.getRemainingTimeInMillis() - LAMBDA_RESERVE_MS);
        const page = await findSessions(query, { reader: deps.reader, timeIndex, tokenKeys, clock, budget: { ...budget, timeLeftMs: () => stopAt - Date.now() } });
        metrics.addMetric('SessionsReturned', MetricUnit.Count, page.sessions.length);
        metrics.addMetric('ItemsEvaluated', MetricUnit.Count, page.work.evaluated);
        logger.debug('sessions page', { returned: page.sessions.length, ...page.work, more: page.nextToken !== undefined });
        const rendered = renderSessions(query.format, page.sessions, page.nextToken);
        const headers: Record<string, string> = page.nextToken === undefined ? {} : { [NEXT_TOKEN_HEADER]: page.nextToken };
        return textResponse(200, rendered.contentType, rendered.body, headers);
      }
      case 'getSession': {
        rejectAnyParameters(parameters);
        record({ sessionId: route.sessionId ?? '' });
        return jsonResponse(200, await getSession(route.sessionId ?? '', deps.reader));
      }
      case 'coverage': {
        const filters = parseCoverageQuery(parameters);
        record({ filters: { ...filters } });
        return jsonResponse(200, describeCoverage(await deps.reader.listSweepStates(), clock.now(), filters));
      }
      case 'listFindings': {
        const query = parseFindingsQuery(parameters);
        record(findingsQueryRecord(query));
        if (!deps.findings) throw new Error('GET /findings: this server was built without a findings reader (ApiDependencies.findings)');
        const stopAt = Date.now() + Math.min(requestTimeBudgetMs, context.getRemainingTimeInMillis() - LAMBDA_RESERVE_MS);
        const page = await findFindings(query, { reader: deps.findings, timeIndex, tokenKeys, clock, budget: { ...budget, timeLeftMs: () => stopAt - Date.now() } });
        metrics.addMetric('FindingsReturned', MetricUnit.Count, page.findings.length);
        metrics.addMetric('ItemsEvaluated', MetricUnit.Count, page.work.evaluated);
        logger.debug('findings page', { returned: page.findings.length, ...page.work, more: page.nextToken !== undefined });
        const rendered = renderFindings(query.format, page.findings, page.nextToken);
        const headers: Record<string, string> = page.nextToken === undefined ? {} : { [NEXT_TOKEN_HEADER]: page.nextToken };
        return textResponse(200, rendered.contentType, rendered.body, headers);
      }
      case 'openapi': {
        rejectAnyParameters(parameters);
        openApiJson ??= renderOpenApiJson();
        return textResponse(200, 'application/json; charset=utf-8', openApiJson);
      }
    }
  };

  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult>(routeRequest)
      // resetKeys: keys appended while serving one request never leak into the next one's logs.
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(logMetrics(metrics, { captureColdStartMetric: true }))
      // Used last so its onError runs first: the other middlewares then see a response, not an error.
      .use(jsonErrorResponses(logger, metrics))
  );
}
