/** The emulator's notion of "now". Visibility (Active/History/purged) is derived from it. */
export interface EmulatorClock {
  /** Current time, epoch milliseconds. */
  now(): number;
}

/** A clock that moves only when told to, so tests can simulate days in milliseconds. */
export class ManualClock implements EmulatorClock {
  private currentMs: number;

  constructor(startMs: number) {
    assertFiniteMs(startMs, 'startMs');
    this.currentMs = startMs;
  }

  now(): number {
    return this.currentMs;
  }

  set(ms: number): void {
    assertFiniteMs(ms, 'ms');
    this.currentMs = ms;
  }

  advance(ms: number): void {
    assertFiniteMs(ms, 'ms');
    this.currentMs += ms;
  }
}

/** Real time; used by the standalone emulator command. */
export class SystemClock implements EmulatorClock {
  now(): number {
    return Date.now();
  }
}

function assertFiniteMs(value: number, name: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number of milliseconds, got ${value}`);
}
