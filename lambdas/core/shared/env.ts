/**
 * Reading a function's configuration from its environment, shared by every handler: values are
 * trimmed (blank is absent), every problem is collected, and the caller throws once naming them
 * all, at cold start (STYLE.md 4). Messages name the variable and quote what it held.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class EnvReader {
  /** Everything wrong so far, in the order read. */
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  optional(key: string): string | undefined {
    const value = this.env[key]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** A value that must be set; `what` explains it in the problem ("TABLE_NAME is required: …"). */
  required(key: string, what?: string): string | undefined {
    const value = this.optional(key);
    if (value === undefined) this.problem(what === undefined ? `${key} is required` : `${key} is required: ${what}`);
    return value;
  }

  /** A required value of a given form: absent and malformed are both problems. */
  requiredMatching(key: string, pattern: RegExp, what: string): string | undefined {
    const value = this.required(key, what);
    if (value !== undefined && !pattern.test(value)) this.problem(`${key} ${JSON.stringify(value)} is not ${what}`);
    return value;
  }

  /** An optional whole number of at least 1 (`unit` names it: days, minutes). */
  positiveInteger(key: string, unit: string): number | undefined {
    const value = this.optional(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      this.problem(`${key} must be a positive whole number of ${unit}, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return Number(value);
  }

  /** An optional http(s) URL: an endpoint override for local runs and tests. */
  httpUrl(key: string, describe: (key: string, value: string) => string = mustBeHttpUrl): string | undefined {
    const value = this.optional(key);
    if (value !== undefined && !isHttpUrl(value)) this.problem(describe(key, value));
    return value;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws `error(every problem, joined)` when there is any. */
  throwIfProblems(error: (problems: string) => Error): void {
    if (this.problems.length > 0) throw error(this.problems.join('; '));
  }
}

const mustBeHttpUrl = (key: string, value: string) => `${key} must be an http(s) URL, got ${JSON.stringify(value)}`;

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
