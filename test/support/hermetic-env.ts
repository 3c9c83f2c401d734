/**
 * Vitest setup file: every test file starts from the same explicit environment, whatever the
 * shell running `npm test` holds (a region, a profile, keys, an endpoint URL, a broken
 * ~/.aws/config). Tests name the region, credentials and endpoints they use; nothing else leaks in.
 * Processes the tests start get `testProcessEnv()` (test/support/cli-process.ts), built from this.
 */

/** Where the SDK and the CLI would look for profiles: nowhere that exists. */
export const NO_AWS_CONFIG = '/nonexistent/session-archive-tests/aws-config';

/** The AWS settings every test and child process sees: none that reach a real account. */
export const HERMETIC_AWS_ENV: Readonly<Record<string, string>> = {
  AWS_CONFIG_FILE: NO_AWS_CONFIG,
  AWS_SHARED_CREDENTIALS_FILE: NO_AWS_CONFIG,
  // No instance-metadata probing for credentials or region.
  AWS_EC2_METADATA_DISABLED: 'true',
  // The SDK's Node 20 notice is noise on every client a test creates.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Settings of this product or its tools that a user's shell may carry. */
const FOREIGN_PREFIXES = ['AWS_', 'CDK_DEFAULT_', 'SESSION_ARCHIVE_'];
const FOREIGN_NAMES = ['TOKEN_SECRET', 'TABLE_NAME'];

export function isForeignSetting(name: string): boolean {
  return FOREIGN_PREFIXES.some((prefix) => name.startsWith(prefix)) || FOREIGN_NAMES.includes(name);
}

for (const name of Object.keys(process.env)) {
  if (isForeignSetting(name)) delete process.env[name];
}
Object.assign(process.env, HERMETIC_AWS_ENV);
