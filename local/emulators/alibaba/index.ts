/** Public API of the Alibaba Cloud ECS (DescribeTerminalSessions) emulator. */
export { ManualClock, SystemClock, type EmulatorClock } from '../../ssm-emulator/clock';
export { FaultInjector, type FaultSettings } from '../../ssm-emulator/faults';
export { type AccessKeyPair } from './authenticate';
export { DEFAULT_MAX_RESULTS, MAX_MAX_RESULTS } from './describe-terminal-sessions';
export { AlibabaApiError, type AlibabaErrorCode } from './errors';
export { generateTerminalSessions, type GenerateTerminalSessionsOptions } from './generator';
export { ALIBABA_REGIONS, DEFAULT_REGION } from './regions';
export { RESULT_ORDERS, type ResultOrder } from './result-order';
export { DEFAULT_RECORD_CAP, DEFAULT_RETENTION_DAYS, retainedAt } from './retention';
export { type ConnectOptions, type DisconnectOptions, type NewTerminalSession, type SessionHelpers } from './session-helpers';
export { connectionStatusAt, isOpenAt, toWireSession, wireTime, type ConnectionEnd, type ConnectionStatus, type EmulatedConnection, type EmulatedTerminalSession } from './session-model';
export { ECS_ACTION, ECS_VERSION, type AlibabaEmulatorStats } from './request-handler';
export { startAlibabaEmulator, type AlibabaEmulator, type AlibabaEmulatorOptions } from './server';
export { type AlibabaShownRecorder, type ShownListing, type ShownPage, type ShownSessionSummary } from './shown-recorder';
