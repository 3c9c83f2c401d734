/**
 * Builds the stack in process the way bin/app.ts does, from cdk.json's context plus overrides.
 * Bundling is skipped (`aws:cdk:bundling-stacks: []`): the template is the same apart from asset
 * hashes, and these tests stay fast. test/infra/artifact.test.ts synthesizes with bundling.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readAppConfig, type ContextKey } from '../../lib/app-config';
import { SessionArchiveStack } from '../../lib/session-archive-stack';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

export interface BuiltStack {
  app: App;
  stack: SessionArchiveStack;
  template: Template;
}

/** cdk.json's context without the CDK feature flags (`@aws-cdk/...` keys): what an app that sets none gets. */
export function contextWithoutFeatureFlags(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(cdkJsonContext()).filter(([key]) => !isFeatureFlag(key)));
}

export function isFeatureFlag(key: string): boolean {
  return key.startsWith('@aws-cdk');
}

export interface BuildOptions {
  /** Apply cdk.json's feature flags. @default true */
  readonly featureFlags?: boolean;
}

export function buildStack(overrides: Partial<Record<ContextKey, unknown>> = {}, options: BuildOptions = {}): BuiltStack {
  const base = options.featureFlags === false ? contextWithoutFeatureFlags() : cdkJsonContext();
  const app = new App({ context: { ...base, ...overrides, 'aws:cdk:bundling-stacks': [] } });
  const config = readAppConfig((key) => app.node.tryGetContext(key));
  const stack = new SessionArchiveStack(app, config.stackName, config.stackProps);
  return { app, stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;

/** The resources of one CloudFormation type, by logical id. */
export function resourcesOfType(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The logical id of the single resource of `type` whose logical id starts with `prefix`. */
export function logicalIdOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(resourcesOfType(template, type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}
