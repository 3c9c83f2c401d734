/**
 * Debian's AWS CLI v2 at /usr/bin/aws, run with dummy or given credentials and no user
 * configuration, so it only ever talks to an emulator. Always that one binary, by its full path:
 * an older CLI first on PATH (v1 drops fields its model lacks) must not change what a test
 * checks. Without it the CLI tests say so in one line, and fail only in CI (which installs it).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const runFile = promisify(execFile);

export const AWS_CLI = '/usr/bin/aws';

export function awsCliAvailable(): boolean {
  return existsSync(AWS_CLI);
}

/** The one line `npm test` prints on a machine without the AWS CLI. */
export const MISSING_AWS_CLI_NOTE = `the AWS CLI tests need Debian's AWS CLI v2 at ${AWS_CLI} (apt-get install -y awscli); they did not run`;

/** A describe block of AWS CLI tests, or, without the CLI, one test that says so (and fails in CI). */
export function describeWithAwsCli(name: string, tests: () => void): void {
  if (awsCliAvailable()) {
    describe(name, tests);
    return;
  }
  describe(name, () => {
    it('says in one line that it needs the AWS CLI, and fails only in CI', () => {
      process.stdout.write(`${MISSING_AWS_CLI_NOTE}\n`);
      expect(MISSING_AWS_CLI_NOTE).toMatch(/need Debian's AWS CLI/);
      expect(process.env.CI ? 'CI must run the AWS CLI tests' : 'not CI').toBe('not CI');
    });
  });
}

export interface CliCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runAwsCli(args: string[], credentials: CliCredentials): Promise<AwsCliResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: '/nonexistent',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
  };
  try {
    // us-east-1 and JSON unless the call names its own.
    const defaults = [...(args.includes('--region') ? [] : ['--region', 'us-east-1']), ...(args.includes('--output') ? [] : ['--output', 'json'])];
    const { stdout, stderr } = await runFile(AWS_CLI, [...args, ...defaults], { env });
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
