/**
 * Bounded retries with exponential back-off and full jitter, for calls a source may throttle or
 * fail for a moment. Sleep and randomness are injected so tests run without waiting.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default 6. */
  maxAttempts?: number;
  /** Default 200 ms: the ceiling of the first wait, doubled per retry. */
  baseDelayMs?: number;
  /** Default 10 s. */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). Default Math.random. */
  random?: () => number;
}

export interface RetryDecision {
  retry: boolean;
  /** A wait the source asked for (e.g. a throttling answer's retry-after), in ms. */
  afterMs?: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetries<T>(attempt: () => Promise<T>, classify: (error: unknown) => RetryDecision, policy: RetryPolicy = {}): Promise<T> {
  const maxAttempts = policy.maxAttempts ?? 6;
  const baseDelayMs = policy.baseDelayMs ?? 200;
  const maxDelayMs = policy.maxDelayMs ?? 10_000;
  const sleep = policy.sleep ?? realSleep;
  const random = policy.random ?? Math.random;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    try {
      return await attempt();
    } catch (error: unknown) {
      const decision = classify(error);
      if (!decision.retry || attemptNumber >= maxAttempts) throw error;
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attemptNumber - 1));
      await sleep(Math.min(maxDelayMs, Math.max(decision.afterMs ?? 0, Math.floor(random() * ceiling))));
    }
  }
}
