/**
 * Who may put Session Archive's events on its bus. The compliance check trusts nothing in an event
 * body, but a forged `Session Archived` still costs a check and a forged finding misleads whoever
 * consumes findings: so events with the archive's `source` come from the archive's functions only,
 * each limited to its own detail types, both in their IAM grants and in the bus's resource policy.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export interface EventPublisher {
  /** A short name for statement ids, e.g. `Sweeper`. */
  readonly name: string;
  readonly role: iam.IRole;
  /** The only detail types it may put. */
  readonly detailTypes: readonly string[];
}

/** `events:PutEvents` on `bus` for events of `source` with one of `detailTypes`, and nothing else. */
export function grantPublish(grantee: iam.IGrantable, bus: events.IEventBus, source: string, detailTypes: readonly string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [bus.eventBusArn],
      conditions: { StringEquals: { 'events:source': source, 'events:detail-type': [...detailTypes] } },
    }),
  );
}

/**
 * The bus's resource policy: nobody but `publishers` may put events of `source` on it, and each
 * publisher only its own detail types. Statements of their own (`AWS::Events::EventBusPolicy`), so
 * on the default bus they sit beside the account's other statements instead of replacing them.
 */
export function restrictPublishers(scope: Construct, bus: events.IEventBus, source: string, publishers: readonly EventPublisher[]): void {
  const statement = (sid: string, conditions: Record<string, Record<string, unknown>>) =>
    new events.CfnEventBusPolicy(scope, sid, {
      eventBusName: bus.eventBusName,
      statementId: sid,
      statement: new iam.PolicyStatement({
        sid,
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: { StringEquals: { 'events:source': source }, ...conditions },
      }).toStatementJson(),
    });
  statement('OnlyArchivePublishers', { ArnNotEquals: { 'aws:PrincipalArn': publishers.map((publisher) => publisher.role.roleArn) } });
  for (const publisher of publishers) {
    statement(`Only${publisher.name}DetailTypes`, {
      ArnEquals: { 'aws:PrincipalArn': publisher.role.roleArn },
      StringNotEquals: { 'events:detail-type': [...publisher.detailTypes] },
    });
  }
}

