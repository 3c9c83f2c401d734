/**
 * cdk-nag AwsSolutions (v3, a CDK validation plugin) on the app: nothing may be reported that the
 * constructs do not acknowledge, every acknowledgement carries a specific reason, and every
 * acknowledgement still silences a real finding (none is left over from an old design).
 */
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStack } from './stack-fixture';

const ALL_OPTIONS = {
  alarmEmail: 'ops@example.com',
  kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  retentionDays: 3650,
  apiGatewayCloudWatchRole: true,
  alarmTopicEncryption: true,
  tableDataEvents: true,
  breakGlassRoleArn: 'arn:aws:iam::111122223333:role/ArchiveBreakGlass',
  auditorRoleArns: ['arn:aws:iam::111122223333:role/Auditor'],
  sweeperReservedConcurrency: 1,
  queryReservedConcurrency: 10,
  tokenTtlSeconds: 3600,
};

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

/** Findings as `<rule> at <construct path>`, readable in a failure diff. */
function findings(pack: AwsSolutionsChecks, app: App): string[] {
  return pack.validateScope(app).violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath ?? '?'}`),
  );
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          // CDK records ids without a namespace under "Annotation::"; cdk-nag strips it the same way.
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** A pack that ignores acknowledgements, to see what each one silences. */
function unacknowledgedPack(): AwsSolutionsChecks {
  const pack = new AwsSolutionsChecks();
  Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  return pack;
}

describe.each([
  ['the default stack', {}],
  ['a stack with every option set', ALL_OPTIONS],
])('cdk-nag AwsSolutions on %s', (_name, overrides) => {
  let app: App;
  beforeAll(() => {
    app = buildStack(overrides).app;
    app.synth();
  });

  it('reports no unacknowledged finding', () => {
    expect(findings(new AwsSolutionsChecks(), app)).toEqual([]);
  });

  it('gives every acknowledgement a specific reason', () => {
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    const vague = acks.filter((ack) => ack.reason.trim().length < 60);
    expect(vague).toEqual([]);
  });

  it('has no acknowledgement that silences nothing', () => {
    const raw = findings(unacknowledgedPack(), app);
    const unused = acknowledgements(app).filter(
      (ack) => !raw.some((finding) => finding === `${ack.id} at ${ack.path}` || finding.startsWith(`${ack.id} at ${ack.path}/`)),
    );
    expect(unused).toEqual([]);
  });
});

describe('cdk-nag as a validation plugin', () => {
  it('lets the app synthesize', () => {
    const { app } = buildStack();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    expect(assembly.stacks.map((stack) => stack.stackName)).toEqual(['SessionArchive']);
  });
});
