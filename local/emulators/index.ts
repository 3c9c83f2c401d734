/** Public API of the emulators that play an AWS Organization: STS, Organizations, and the model both answer from. */
export { accountOfAccessKey, CredentialRegistry, type IssuedCredentials } from './access-keys';
export { authenticateCaller, type KnownCaller, type RefusedCaller } from './callers';
export { sigV4CallerOf, type SigV4Caller } from './http';
export {
  ACCOUNT_STATES,
  DEFAULT_MANAGEMENT_ACCOUNT_ID,
  DEFAULT_MEMBER_ROLE_NAME,
  EmulatedOrganization,
  type AccountSpec,
  type AccountState,
  type AssumeRoleFault,
  type EmulatedAccount,
  type MemberRole,
  type OrganizationalUnit,
  type OrganizationOptions,
} from './organization-model';
export { startOrganizationsEmulator, type OrganizationsEmulator, type OrganizationsEmulatorOptions, type OrganizationsFault, type OrganizationsStats } from './organizations';
export { sampleOrganization, type SampleOrganization, type SampleOrganizationOptions } from './sample-organization';
export { startStsEmulator, type StsEmulator, type StsEmulatorOptions, type StsStats } from './sts';
