/**
 * The AWS CLI, when this machine has one (/usr/bin/aws, else `aws` on PATH), run with dummy
 * or given credentials and no user configuration, so it only ever talks to an emulator.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const runFile = promisify(execFile);

function findAwsCli(): string | undefined {
  if (existsSync('/usr/bin/aws')) return '/usr/bin/aws';
  try {
    const found = execFileSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' }).trim();
    return found === '' ? undefined : found;
  } catch {
    return undefined;
  }
}

/** undefined when no AWS CLI is installed; tests then send the same request over raw HTTP. */
export const AWS_CLI = findAwsCli();

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
  if (AWS_CLI === undefined) throw new Error('no AWS CLI on this machine');
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
