/**
 * The auditors' query API: a REST API in front of the query function, `AWS_IAM` on every method,
 * request validation, access logs, stage throttling, and the managed policy auditors get.
 */
import { RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES } from '../lambdas/api/router';
import { ACCESS_LOG_FORMAT, auditorOnlyPolicy, type AuditorPrincipals } from './api-access';
import { findingsQuerySchema } from '../lambdas/core/query/findings-query';
import { sessionQuerySchema } from '../lambdas/core/query/parameters';

/** A route of the query API: its resource path, its methods, and the query parameters it takes. */
export interface ArchiveRoute {
  /** The API Gateway resource path, e.g. `/sessions/{sessionId}`. */
  readonly path: string;
  /** The HTTP methods the handler serves on it. */
  readonly methods: readonly string[];
  /** Query-string parameters the route accepts (declared as optional). */
  readonly queryParameters: readonly string[];
}

/**
 * The routes, taken from the handler's own router and parameter schema, so the API Gateway
 * resources and the code that serves them cannot disagree. Path parameters are required; query
 * parameters are declared (and validated in detail by the handler, which rejects unknown ones).
 */
export const ARCHIVE_ROUTES: readonly ArchiveRoute[] = ROUTES.map((route) => ({
  path: route.resource,
  methods: route.methods,
  queryParameters:
    route.name === 'listSessions' ? Object.keys(sessionQuerySchema.shape) : route.name === 'listFindings' ? Object.keys(findingsQuerySchema.shape) : [],
}));

export interface ApiThrottle {
  /** Steady-state requests per second for the whole stage. */
  readonly rateLimit: number;
  /** Requests allowed in a burst above the rate. */
  readonly burstLimit: number;
}

export interface ArchiveApiProps {
  /** The query function every route invokes. */
  readonly handler: lambda.IFunction;
  /**
   * @default rate 50 requests/s, burst 100
   */
  readonly throttle?: ApiThrottle;
  /**
   * Retention of the access-log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the API's log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Create the role API Gateway needs to write logs to CloudWatch and set it in the account's API
   * Gateway settings (`AWS::ApiGateway::Account`). That setting is account- and region-wide: other
   * APIs rely on it too, so the role is retained when the stack goes. Only for accounts that have
   * none yet (`aws apigateway get-account`).
   * @default false
   */
  readonly cloudWatchRole?: boolean;
  /** Who may call the API: every other caller is denied by the API's resource policy. */
  readonly auditors: AuditorPrincipals;
  /**
   * The deployed stage, part of every URL and of the auditor policy's ARNs.
   * @default 'v1'
   */
  readonly stageName?: string;
}

export const DEFAULT_API_THROTTLE: ApiThrottle = { rateLimit: 50, burstLimit: 100 };

export class ArchiveApi extends Construct {
  readonly api: apigw.RestApi;
  /** `execute-api:Invoke` on the GET routes of the deployed stage, nothing else. */
  readonly auditorPolicy: iam.ManagedPolicy;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ArchiveApiProps) {
    super(scope, id);
    const throttle = props.throttle ?? DEFAULT_API_THROTTLE;
    if (!(throttle.rateLimit > 0) || !(throttle.burstLimit >= 1) || !Number.isInteger(throttle.burstLimit)) {
      throw new Error(`API throttle needs a positive rate and a whole burst of at least 1, got ${JSON.stringify(throttle)}`);
    }
    const stageName = props.stageName ?? 'v1';

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    const cloudWatchRole = props.cloudWatchRole ?? false;
    const policy = auditorOnlyPolicy(props.auditors);
    this.api = new apigw.RestApi(this, 'Api', {
      // Named after the stack: the 5xx alarm's ApiName dimension then matches this API only, not
      // every REST API in the region that kept its construct id as its name.
      restApiName: `${Stack.of(this).stackName}-query-api`,
      description: 'Session Archive query API (SigV4, read-only)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      policy,
      cloudWatchRole,
      // The role is account-wide: other APIs in the account may rely on it after this stack is gone.
      ...(cloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE } : {}),
      deployOptions: {
        stageName,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        // Off: API Gateway's X-Ray segments record the full URL, query string (filter values) included.
        tracingEnabled: false,
        // Execution logs for errors only, and never request/response bodies: they hold session data.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        // Who asked what, and how it ended: every request, refused ones included.
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
      },
    });
    // TLS 1.2 or later on the execute-api endpoint.
    (this.api.node.defaultChild as apigw.CfnRestApi).securityPolicy = 'TLS_1_2';
    // A resource policy takes effect with the next deployment: redeploy whenever it changes.
    this.api.latestDeployment?.addToLogicalId({ policy: policy.toJSON() as unknown });

    // API Gateway would create the execution-log group itself, with no retention: own it instead.
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${stageName}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);

    const validator = new apigw.RequestValidator(this, 'ParameterValidator', {
      restApi: this.api,
      validateRequestParameters: true,
      // Every route is a GET without a request model, so this checks nothing today; it is on so
      // that a route with a body model added later is validated (and cdk-nag APIG2 asks for it).
      validateRequestBody: true,
    });
    // allowTestInvoke: false — no extra Lambda permission for the console's test button.
    const integration = new apigw.LambdaIntegration(props.handler, { proxy: true, allowTestInvoke: false });

    for (const route of ARCHIVE_ROUTES) {
      const resource = this.api.root.resourceForPath(route.path);
      const requestParameters: Record<string, boolean> = {};
      for (const name of pathParameters(route.path)) requestParameters[`method.request.path.${name}`] = true;
      for (const name of route.queryParameters) requestParameters[`method.request.querystring.${name}`] = false;
      for (const method of route.methods) {
        resource.addMethod(method, integration, {
          authorizationType: apigw.AuthorizationType.IAM,
          requestValidator: validator,
          requestParameters,
        });
      }
    }
    this.routeEverythingElseToTheHandler(integration, validator);

    this.auditorPolicy = new iam.ManagedPolicy(this, 'AuditorPolicy', {
      description: 'Read the Session Archive: execute-api:Invoke on its stage (the function serves GET routes only)',
      statements: [
        new iam.PolicyStatement({
          actions: ['execute-api:Invoke'],
          // The whole stage of this one API, so a wrong path or method reaches the function and is
          // answered 404/405 rather than refused; the function serves only its read-only GET routes.
          resources: [this.api.arnForExecuteApi('*', '/*', stageName)],
        }),
      ],
    });
    // Auditors attach this policy outside the stack, and IAM refuses to delete an attached policy
    // (DeleteConflict): retained by default so `cdk destroy` succeeds; docs/operations.md, "Removing".
    this.auditorPolicy.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);

    this.acknowledgeNagFindings(stageName, cloudWatchRole);
  }

  /**
   * Every other path and method goes to the function too, under the same SigV4 authorization, so a
   * deployed API answers them as the local server does (404 RouteNotFound, 405 with Allow) instead of
   * API Gateway's own 403 "Missing Authentication Token". Specific resources and methods win over
   * `ANY` and `{proxy+}`, so the routes above are unaffected.
   */
  private routeEverythingElseToTheHandler(integration: apigw.Integration, requestValidator: apigw.IRequestValidator): void {
    const options: apigw.MethodOptions = { authorizationType: apigw.AuthorizationType.IAM, requestValidator };
    for (const route of ARCHIVE_ROUTES) this.api.root.resourceForPath(route.path).addMethod('ANY', integration, options);
    this.api.root.addMethod('ANY', integration, options);
    this.api.root.addProxy({ anyMethod: false }).addMethod('ANY', integration, options);
  }

  /** cdk-nag (AwsSolutions) findings this design accepts, each with its reason. */
  private acknowledgeNagFindings(stageName: string, cloudWatchRole: boolean): void {
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Auditors are IAM principals: every method uses AWS_IAM (SigV4) authorization and access is granted by ' +
        'attaching the auditor managed policy, so a Cognito user pool would be a second, unused identity store.',
    });
    if (cloudWatchRole) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level role API Gateway needs to write access and execution logs; this AWS-managed policy is ' +
          'the one AWS documents for it and grants only CloudWatch Logs actions.',
      });
    }
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Every method requires SigV4 (AWS_IAM), the resource policy admits auditors only and the stage is throttled, so ' +
        'anonymous traffic is rejected before the function runs; associate a WAF web ACL with the stage if your policy requires one.',
    });
    const apiLogicalId = Stack.of(this).getLogicalId(this.api.node.defaultChild as CfnElement);
    Validations.of(this.auditorPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${stageName}/*/*]`,
      reason:
        'One API stage: every method and path of it reaches the read-only query function, which serves its GET routes and ' +
        'answers anything else 404 or 405 (docs/api.md), so the wildcard grants no more than the GET routes do.',
    });
  }
}

function pathParameters(routePath: string): string[] {
  return [...routePath.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
}

