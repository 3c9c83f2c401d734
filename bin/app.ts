/**
 * The CDK app (cdk.json "app"). Options come from context: cdk.json holds the defaults, and
 * `npx cdk deploy -c alarmEmail=ops@example.com` overrides one. See docs/operations.md.
 *
 * The stack is environment-agnostic: it synthesizes the same way with or without credentials,
 * and `cdk deploy` targets the account and region of the credentials in use.
 */
import { App } from 'aws-cdk-lib';
import { readAppConfig } from '../lib/app-config';
import { SessionArchiveStack } from '../lib/session-archive-stack';

const app = new App();
const config = readAppConfig((key) => app.node.tryGetContext(key));
new SessionArchiveStack(app, config.stackName, config.stackProps);
app.synth();
