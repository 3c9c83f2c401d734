/**
 * Seeded fault injection: per request, maybe throttle, fail, drop the connection or add
 * latency. The same seed and the same request sequence give the same faults.
 */
import { SeededRandom } from './random';

export interface FaultSettings {
  seed?: number;
  /** Probability of ThrottlingException (400, "Rate exceeded"). */
  throttleRate?: number;
  /** Probability of InternalServerError (500). */
  errorRate?: number;
  /** Probability of destroying the socket without a response. */
  dropRate?: number;
  /** Probability of delaying the response by latencyMs (independent of the others). */
  latencyRate?: number;
  latencyMs?: number;
  /** Operations the faults apply to, e.g. ['DescribeSessions']; default all. */
  operations?: string[];
}

export type InjectedFailure = 'drop' | 'throttle' | 'error';

export interface FaultDecision {
  failure: InjectedFailure | undefined;
  delayMs: number;
}

const NO_FAULT: FaultDecision = { failure: undefined, delayMs: 0 };
const DEFAULT_LATENCY_MS = 100;

export class FaultInjector {
  private settings: FaultSettings | undefined;
  private random = new SeededRandom(1);

  constructor(settings?: FaultSettings) {
    this.configure(settings);
  }

  /** Replaces the settings and restarts the seeded sequence. */
  configure(settings: FaultSettings | undefined): void {
    if (settings) assertValidFaultSettings(settings);
    this.settings = settings ? { ...settings } : undefined;
    this.random = new SeededRandom(settings?.seed ?? 1);
  }

  decide(operation: string): FaultDecision {
    const settings = this.settings;
    if (!settings) return NO_FAULT;
    if (settings.operations && !settings.operations.includes(operation)) return NO_FAULT;
    // Two draws per request whatever the outcome, so the sequence stays reproducible.
    const failureRoll = this.random.next();
    const latencyRoll = this.random.next();
    const dropRate = settings.dropRate ?? 0;
    const throttleRate = settings.throttleRate ?? 0;
    const errorRate = settings.errorRate ?? 0;
    let failure: InjectedFailure | undefined;
    if (failureRoll < dropRate) failure = 'drop';
    else if (failureRoll < dropRate + throttleRate) failure = 'throttle';
    else if (failureRoll < dropRate + throttleRate + errorRate) failure = 'error';
    const delayMs = latencyRoll < (settings.latencyRate ?? 0) ? (settings.latencyMs ?? DEFAULT_LATENCY_MS) : 0;
    return { failure, delayMs };
  }
}

function assertValidFaultSettings(settings: FaultSettings): void {
  for (const name of ['throttleRate', 'errorRate', 'dropRate', 'latencyRate'] as const) {
    const rate = settings[name];
    if (rate !== undefined && !(rate >= 0 && rate <= 1)) {
      throw new RangeError(`faults.${name} must be between 0 and 1, got ${rate}`);
    }
  }
  const failureTotal = (settings.throttleRate ?? 0) + (settings.errorRate ?? 0) + (settings.dropRate ?? 0);
  if (failureTotal > 1) throw new RangeError(`throttleRate + errorRate + dropRate must not exceed 1, got ${failureTotal}`);
  if (settings.latencyMs !== undefined && !(settings.latencyMs >= 0)) {
    throw new RangeError(`faults.latencyMs must be >= 0, got ${settings.latencyMs}`);
  }
}
