/**
 * The one Lambda function construct of Session Archive: every function gets the same runtime,
 * architecture, tracing, log group and bundling from here, so the stack only composes.
 */
import * as path from 'node:path';
import { RemovalPolicy, type Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { KEY_READ_ACTIONS, KEY_WRITE_ACTIONS, viaDynamoDb } from './archive-key';

/** The repository root: entries, the lock file and tsconfig.json are resolved from here. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** Current Lambda Node.js runtime; the bundles target the same Node version. */
export const ARCHIVE_RUNTIME = lambda.Runtime.NODEJS_24_X;
const ESBUILD_TARGET = 'node24';

/** Table actions on items, optionally limited to partition keys. */
export interface ItemAccess {
  /** Data-plane actions, e.g. `dynamodb:GetItem`. */
  readonly actions: readonly string[];
  /**
   * Partition-key patterns (`FINDING#*`) the actions are limited to: the `dynamodb:LeadingKeys`
   * condition, so a function that writes one kind of item cannot write another.
   * @default any item
   */
  readonly leadingKeys?: readonly string[];
}

/** What a function may do with the archive table: DynamoDB actions spelled out, never a wildcard. */
export interface TableAccess {
  /** Grants on the table's items, each statement with its own partition-key limit. */
  readonly items: readonly ItemAccess[];
  /** Indexes the function queries (`dynamodb:Query` on the index ARNs). */
  readonly indexes?: readonly string[];
  /**
   * Whether the function writes: with a customer-managed table key it then also needs the
   * encrypt-side KMS actions, not only Decrypt.
   */
  readonly writes: boolean;
}

export interface ArchiveFunctionProps
  extends Omit<NodejsFunctionProps, 'entry' | 'timeout' | 'logGroup' | 'logRetention' | 'logRetentionRole' | 'logRetentionRetryOptions'> {
  /** The handler's TypeScript file, relative to the repository root (e.g. `lambdas/sweeper/handler.ts`). */
  readonly entry: string;
  /** Every function states its timeout; there is no default on purpose. */
  readonly timeout: Duration;
  /**
   * How long the function's log group keeps events.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group when the function is removed from the stack.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A NodejsFunction with Session Archive's defaults:
 * - runtime nodejs24.x on ARM64 (Graviton: about 20% cheaper per GB-second than x86_64),
 *   active X-Ray tracing, `--enable-source-maps`;
 * - an explicit log group with retention, and a role that may write to that log group only
 *   (no AWSLambdaBasicExecutionRole, whose actions apply to every log group);
 * - ESM, minified, with source maps, tree-shaken, `mainFields: ['module', 'main']`.
 *
 * Bundling the AWS SDK v3 or leaving it to the runtime (nodejs24.x ships SDK v3) — measured
 * 2026-11-22 with esbuild 0.28, `--format=esm --minify --sourcemap --sources-content=false
 * --target=node24`; module load is the median of 9 `import()`s in Node 20 on a 2-vCPU machine,
 * the external SDK loaded from node_modules (the runtime keeps its copy on the same kind of disk):
 *
 * | function | AWS SDK  | index.mjs | gzipped | .map   | load  | load, --enable-source-maps |
 * |----------|----------|-----------|---------|--------|-------|----------------------------|
 * | sweeper  | bundled  | 477 KB    | 137 KB  | 795 KB | 62 ms | 73 ms                      |
 * | sweeper  | external | 55 KB     | 18 KB   | 81 KB  | 172 ms| 238 ms                     |
 * | query    | bundled  | 457 KB    | 143 KB  | 768 KB | 80 ms | 91 ms                      |
 * | query    | external | 118 KB    | 38 KB   | 182 KB | 259 ms| 290 ms                     |
 *
 * Decision: bundle it. The packages stay far below Lambda's 50 MB zipped limit; loading one
 * minified file beats resolving the SDK's hundreds of files (about 110-180 ms less per cold
 * start); the function runs the SDK version the tests ran, not whatever the runtime carries that
 * month; and the bundle is self-contained, so test/infra/artifact.test.ts runs the very file
 * `cdk deploy` uploads. Source maps cost about 11 ms of cold start and buy TypeScript stack traces.
 *
 * No `createRequire` banner: nothing in either bundle calls `require()` at run time (esbuild
 * would emit "Dynamic require of ... is not supported"); the artifact test loads both bundles in
 * plain Node and would fail first if a new dependency needed it.
 */
export class ArchiveFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ArchiveFunctionProps) {
    const { logRetention, logRemovalPolicy, bundling, environment, entry, ...rest } = props;
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    const role =
      props.role ??
      new iam.Role(scope, `${id}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of ${id}: its own log group, plus what the stack grants`,
      });
    super(scope, id, {
      runtime: ARCHIVE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      memorySize: 512,
      // SDK v3 keeps connections alive on its own; the env var only served SDK v2.
      awsSdkConnectionReuse: false,
      ...rest,
      entry: path.join(PROJECT_ROOT, entry),
      handler: props.handler ?? 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      role,
      logGroup,
      environment: {
        // Stack traces point into the TypeScript sources (about 11 ms of cold start, measured above).
        NODE_OPTIONS: '--enable-source-maps',
        ...environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
        minify: true,
        sourceMap: true,
        // The map keeps line mappings but not the sources: a third of the size.
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // See the measurement above: the SDK is bundled, nothing is external.
        bundleAwsSDK: true,
        externalModules: [],
        tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json'),
        ...bundling,
      },
    });
    // The role may write to this function's log group and no other.
    logGroup.grantWrite(role);
  }

  /**
   * Grants the function exactly `access` on the table (and its key, through DynamoDB only, when the
   * table has a customer-managed one) and sets TABLE_NAME: one call, so grant and configuration
   * never drift.
   */
  bindTable(table: ITable, access: TableAccess): this {
    for (const item of access.items) {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...item.actions],
          resources: [table.tableArn],
          ...(item.leadingKeys ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...item.leadingKeys] } } } : {}),
        }),
      );
    }
    if (access.indexes && access.indexes.length > 0) {
      this.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: access.indexes.map((index) => `${table.tableArn}/index/${index}`) }));
    }
    if (table.encryptionKey) {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: access.writes ? [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] : [...KEY_READ_ACTIONS],
          resources: [table.encryptionKey.keyArn],
          conditions: viaDynamoDb(this),
        }),
      );
    }
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }
}
