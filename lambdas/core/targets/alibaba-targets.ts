/**
 * Alibaba Cloud targets: `alibaba#<account label>#<region>`, from the context key `alibaba`, a list
 * of { "account": "<label>", "regions": ["cn-hangzhou"], "credentialsSecretArn": "arn:aws:secretsmanager:…" }.
 * The label names the account in the archive (keys, filters, metrics); the secret holds its
 * AccessKey pair (JSON { "accessKeyId", "accessKeySecret" }) and is read by the sweeper only.
 */

export const ALIBABA_SOURCE = 'alibaba';

/** A name starting with a letter (a-z 0-9 -, up to 63), or the 16-digit account id (UID). */
export const ALIBABA_ACCOUNT_PATTERN = /^(?:[a-z][a-z0-9-]{0,62}|\d{16})$/;
/** cn-hangzhou, ap-southeast-1, cn-shanghai-finance-1, us-east-1. */
export const ALIBABA_REGION_PATTERN = /^[a-z]{2}(?:-[a-z0-9]+){1,4}$/;
export const SECRET_ARN_PATTERN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]{1,512}$/;

export interface AlibabaAccount {
  account: string;
  regions: string[];
  credentialsSecretArn: string;
}

const KEYS = ['account', 'regions', 'credentialsSecretArn'] as const;

/** Reads the `alibaba` value (already parsed from JSON); problems are appended, each naming its key. */
export function parseAlibabaAccounts(value: unknown, problems: string[]): AlibabaAccount[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`alibaba must be a non-empty list of { "account": "<label>", "regions": ["cn-hangzhou"], "credentialsSecretArn": "arn:aws:secretsmanager:…" }, got ${JSON.stringify(value)}`);
    return undefined;
  }
  const seen = new Set<string>();
  return value.map((entry: unknown, index): AlibabaAccount => {
    const key = `alibaba[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${key} must be an object with keys ${KEYS.join(', ')}; got ${JSON.stringify(entry)}`);
      return { account: '', regions: [], credentialsSecretArn: '' };
    }
    const fields = entry as Record<string, unknown>;
    for (const name of Object.keys(fields)) if (!(KEYS as readonly string[]).includes(name)) problems.push(`${key} has an unknown key "${name}"; allowed keys: ${KEYS.join(', ')}`);
    const account = matching(`${key}.account`, fields.account, ALIBABA_ACCOUNT_PATTERN, 'an account label (a letter, then a-z 0-9 -, up to 63) or the 16-digit account id', problems);
    if (account !== '' && seen.has(account)) problems.push(`${key}.account ${account} is listed twice; give it one entry with all its regions`);
    seen.add(account);
    const secret = matching(`${key}.credentialsSecretArn`, fields.credentialsSecretArn, SECRET_ARN_PATTERN, 'the ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>)', problems);
    return { account, regions: regionList(`${key}.regions`, fields.regions, problems), credentialsSecretArn: secret };
  });
}

function matching(key: string, value: unknown, pattern: RegExp, what: string, problems: string[]): string {
  if (value === undefined) {
    problems.push(`${key} is required: ${what}`);
    return '';
  }
  if (typeof value !== 'string' || !pattern.test(value)) {
    problems.push(`${key} must be ${what}, got ${JSON.stringify(value)}`);
    return '';
  }
  return value;
}

function regionList(key: string, value: unknown, problems: string[]): string[] {
  const what = 'an Alibaba Cloud region id like cn-hangzhou or ap-southeast-1';
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${key} must be a non-empty list, each ${what}; got ${JSON.stringify(value)}`);
    return [];
  }
  const regions: string[] = [];
  value.forEach((item: unknown, index) => {
    if (typeof item !== 'string' || !ALIBABA_REGION_PATTERN.test(item)) problems.push(`${key}[${index}] must be ${what}, got ${JSON.stringify(item)}`);
    else if (!regions.includes(item)) regions.push(item);
  });
  return regions;
}
