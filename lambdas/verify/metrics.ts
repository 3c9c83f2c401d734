/** The verify function's metric; the integrity alarm (lib/optional-alarms.ts) imports the name. */
export { METRICS_NAMESPACE } from '../sweeper/metrics';

/** Violations one verify run found (0 on a healthy run). Count, with the `service` dimension. */
export const INTEGRITY_VIOLATIONS_METRIC = 'IntegrityViolations';
