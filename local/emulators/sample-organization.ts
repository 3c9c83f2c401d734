/**
 * A ready organisation for the local stack and tests: the hub (management) account under the
 * root, and `members` ACTIVE member accounts spread over an OU and an OU nested in it, each with
 * the member role trusting the hub's sweeper.
 */
import { EmulatedOrganization, type OrganizationOptions } from './organization-model';

export interface SampleOrganizationOptions extends OrganizationOptions {
  members: number;
  /** The external id every member role asks for; none when absent. */
  externalId?: string;
}

export interface SampleOrganization {
  organization: EmulatedOrganization;
  memberIds: string[];
  /** The top OU (`workloads`) and the one nested in it (`workloads/prod`). */
  organizationalUnitIds: [string, string];
}

export function sampleOrganization(options: SampleOrganizationOptions): SampleOrganization {
  if (!Number.isInteger(options.members) || options.members < 0) throw new RangeError(`members must be a whole number >= 0, got ${options.members}`);
  const organization = new EmulatedOrganization(options);
  organization.addAccount({ id: organization.managementAccountId, name: 'management', role: null });
  const workloads = organization.addOrganizationalUnit(organization.rootId, 'workloads');
  const prod = organization.addOrganizationalUnit(workloads, 'prod');
  const role = options.externalId === undefined ? {} : { externalId: options.externalId };
  const memberIds = Array.from({ length: options.members }, (_, index) => organization.addAccount({ parentId: index % 2 === 0 ? workloads : prod, role }).id);
  return { organization, memberIds, organizationalUnitIds: [workloads, prod] };
}
