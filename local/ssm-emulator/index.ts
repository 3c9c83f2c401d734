/** Public API of the SSM (Session Manager) emulator. */
export { ManualClock, SystemClock, type EmulatorClock } from './clock';
export { SsmApiError, type SsmErrorName } from './errors';
export { FaultInjector, type FaultDecision, type FaultSettings, type InjectedFailure } from './faults';
export { DEFAULT_GUESSES, resolveGuesses, type EmulatorGuesses } from './guesses';
export { type ShownEntry, type ShownRecorder, type ShownSummary } from './shown-recorder';
export { EMULATED_ACCOUNT_ID, generateSessions, type GenerateOptions } from './generator';
export { FIXED_FLEET, OPERATION_NAMES, type OperationName } from './operations';
export { SeededRandom } from './random';
export {
  compareNewestFirst,
  DEFAULT_VISIBILITY_RULES,
  everInHistory,
  laggedVisibilityAt,
  statusAt,
  toSsmShape,
  visibilityAt,
  type EmulatedSession,
  type SessionAccessType,
  type SessionState,
  type SessionStatus,
  type SessionVisibility,
  type SsmSessionShape,
  type VisibilityRules,
} from './session-model';
export { startSsmEmulator, type EmulatorOptions, type EmulatorStats, type SsmEmulator } from './server';
export { DEFAULT_MAX_RESULTS, FILTER_KEYS, parseIsoTimestamp, type FilterKey } from './validation';
