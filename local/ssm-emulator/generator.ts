/**
 * Seeded generator of realistic Session Manager sessions: a fleet of EC2 and managed
 * instances, humans and roles as owners, the usual session documents, reasons with awkward
 * characters, durations from seconds to days, a few failures and some still-open sessions.
 */
import { SeededRandom } from './random';
import type { EmulatedSession } from './session-model';

export interface GenerateOptions {
  count: number;
  seed: number;
  fromMs: number;
  toMs: number;
  /** Share of sessions still open at toMs (endMs null, or after toMs). Default 0.05. */
  openFraction?: number;
  /** Size of the target fleet. Default scales with count. */
  targets?: number;
  /** Number of distinct owners. Default scales with count. */
  owners?: number;
}

export const EMULATED_ACCOUNT_ID = '123456789012';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;

const DOCUMENTS: ReadonlyArray<readonly [string | undefined, number]> = [
  ['SSM-SessionManagerRunShell', 60],
  ['AWS-StartPortForwardingSession', 12],
  ['AWS-StartSSHSession', 10],
  ['AWS-StartPortForwardingSessionToRemoteHost', 7],
  ['AWS-StartInteractiveCommand', 6],
  ['Acme-RestrictedShell', 4],
  [undefined, 1],
];

const REASONS: readonly string[] = [
  'Investigate high CPU alarm',
  'Deploy hotfix, then verify logs',
  'Rotate TLS certificates (INC-20931)',
  'Check "disk full" alert on /var',
  "Restart nginx; it's hanging",
  'Database maintenance, approved by CAB #4411',
  'Überprüfung der Logdateien – Störung #42',
  'メンテナンス作業',
  '数据库备份检查',
  'Patch Tuesday 🚀 rollout',
  'Port-forward to RDS for migration',
  'Debug, "quoted", and comma, separated',
  'Tab\tseparated\treason',
  'Emergency break-glass access',
  'Collect heap dump for support case 1234567890',
  '=cmd|\' /C calc\'!A0', // looks like a spreadsheet formula: exports must neutralise it
  'a'.repeat(256),
];

const ROLES: readonly string[] = [
  'AWSReservedSSO_AdministratorAccess_1a2b3c4d5e6f7a8b',
  'AWSReservedSSO_PowerUserAccess_0f9e8d7c6b5a4f3e',
  'DevOpsEngineer',
  'OnCallResponder',
  'BreakGlassAdmin',
  'ReadOnlyOperator',
  'GitHubActionsDeploy',
];

const FIRST_NAMES: readonly string[] = [
  'alice', 'bob', 'carol', 'dmitri', 'eve', 'farah', 'gus', 'hiro', 'ines', 'jamal',
  'kofi', 'lena', 'mateo', 'nadia', 'oskar', 'priya', 'quinn', 'rosa', 'sven', 'tariq',
];
const LAST_NAMES: readonly string[] = ['smith', 'garcia', 'nguyen', 'okafor', 'schmidt', 'tanaka', 'kowalski', 'silva'];

interface OwnerIdentity {
  arn: string;
  /** The name AWS prefixes session ids with. */
  sessionName: string;
}

export function generateSessions(
  options: GenerateOptions,
  takenSessionIds: { has(sessionId: string): boolean } = new Set<string>(),
): EmulatedSession[] {
  assertValidGenerateOptions(options);
  const random = new SeededRandom(options.seed);
  const count = options.count;
  const fleet = makeFleet(random, options.targets ?? Math.min(2000, Math.max(3, Math.ceil(count / 20))));
  const people = makeOwners(random, options.owners ?? Math.min(300, Math.max(2, Math.ceil(count / 100))));
  const openFraction = options.openFraction ?? 0.05;
  // Times are whole milliseconds, like the ones AWS returns.
  const fromMs = Math.ceil(options.fromMs);
  const toMs = Math.max(fromMs + 1, Math.ceil(options.toMs));
  const usedIds = new Set<string>();

  const sessions: EmulatedSession[] = [];
  for (let index = 0; index < count; index += 1) {
    // Skewed choice: a few hosts and people account for most sessions, as in real fleets.
    const target = fleet[Math.floor(fleet.length * random.next() ** 2)] as string;
    const owner = people[Math.floor(people.length * random.next() ** 1.5)] as OwnerIdentity;
    const sessionId = uniqueSessionId(random, owner.sessionName, usedIds, takenSessionIds);
    const startMs = random.int(fromMs, toMs);
    const open = random.chance(openFraction);
    const failed = !open && random.chance(0.05);
    const session: EmulatedSession = {
      sessionId,
      target,
      owner: owner.arn,
      accessType: random.chance(0.1) ? 'JustInTime' : 'Standard',
      startMs,
      endMs: null,
      endStatus: failed ? 'Failed' : 'Terminated',
    };
    const documentName = random.weighted(DOCUMENTS);
    if (documentName !== undefined) session.documentName = documentName;
    if (random.chance(0.55)) session.reason = random.pick(REASONS);

    if (open) {
      // Still open at toMs: either no end yet, or an end that lies in the future.
      session.endMs = random.chance(0.5) ? null : toMs + Math.round(random.logUniform(MINUTE_MS, 3 * DAY_MS));
      session.disconnected = random.chance(0.25);
    } else {
      let durationMs = failed ? random.logUniform(SECOND_MS, 2 * MINUTE_MS) : sessionDuration(random);
      if (!failed && random.chance(0.2)) {
        const maxMinutes = random.pick(['20', '60', '120', '240', '480', '1440']);
        session.maxSessionDuration = maxMinutes;
        durationMs = Math.min(durationMs, Number(maxMinutes) * MINUTE_MS);
      }
      session.endMs = startMs + Math.max(SECOND_MS, Math.round(durationMs));
      if (!failed && random.chance(0.03)) {
        session.terminatingMs = Math.min(session.endMs - startMs, random.int(SECOND_MS, 20 * SECOND_MS));
      }
    }
    if (random.chance(0.25)) session.outputUrl = outputUrlFor(random, sessionId);
    if (random.chance(0.02)) session.details = 'Session started from the AWS Management Console';
    sessions.push(session);
  }
  return sessions;
}

/** Mostly minutes, a long tail to several days (log-uniform). */
function sessionDuration(random: SeededRandom): number {
  if (random.chance(0.02)) return random.logUniform(3 * DAY_MS, 10 * DAY_MS);
  return random.logUniform(2 * SECOND_MS, 3 * DAY_MS);
}

function makeFleet(random: SeededRandom, size: number): string[] {
  const fleet = new Set<string>();
  while (fleet.size < size) {
    fleet.add(random.chance(0.15) ? `mi-${random.hex(17)}` : `i-${random.hex(17)}`);
  }
  return [...fleet];
}

function makeOwners(random: SeededRandom, size: number): OwnerIdentity[] {
  const owners: OwnerIdentity[] = [];
  const names = new Set<string>();
  while (owners.length < size) {
    const first = random.pick(FIRST_NAMES);
    const baseName = random.chance(0.5) ? `${first}.${random.pick(LAST_NAMES)}` : first;
    const name = names.has(baseName) ? `${baseName}${owners.length}` : baseName;
    names.add(name);
    if (random.chance(0.7)) {
      const role = random.pick(ROLES);
      // SSO sessions carry the user's e-mail as the role session name.
      const sessionName = role.startsWith('AWSReservedSSO_') ? `${name}@example.com` : name;
      owners.push({ arn: `arn:aws:sts::${EMULATED_ACCOUNT_ID}:assumed-role/${role}/${sessionName}`, sessionName });
    } else {
      owners.push({ arn: `arn:aws:iam::${EMULATED_ACCOUNT_ID}:user/${name}`, sessionName: name });
    }
  }
  return owners;
}

function uniqueSessionId(
  random: SeededRandom,
  name: string,
  used: Set<string>,
  taken: { has(sessionId: string): boolean },
): string {
  for (;;) {
    const candidate = `${name}-${random.hex(17)}`;
    if (!used.has(candidate) && !taken.has(candidate)) {
      used.add(candidate);
      return candidate;
    }
  }
}

function outputUrlFor(random: SeededRandom, sessionId: string): NonNullable<EmulatedSession['outputUrl']> {
  if (random.chance(0.5)) return { s3OutputUrl: `https://acme-ssm-session-logs.s3.amazonaws.com/${sessionId}.log` };
  return {
    cloudWatchOutputUrl: `https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEventViewer:group=/ssm/sessions;stream=${sessionId}`,
  };
}

function assertValidGenerateOptions(options: GenerateOptions): void {
  if (!Number.isInteger(options.count) || options.count < 0) throw new RangeError('count must be a non-negative integer');
  if (!Number.isFinite(options.fromMs) || !Number.isFinite(options.toMs) || options.toMs <= options.fromMs) {
    throw new RangeError('fromMs and toMs must be finite with fromMs < toMs');
  }
  const openFraction = options.openFraction ?? 0.05;
  if (!(openFraction >= 0 && openFraction <= 1)) throw new RangeError('openFraction must be between 0 and 1');
  for (const name of ['targets', 'owners'] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new RangeError(`${name} must be a positive integer`);
  }
}
