/**
 * Seeded generator of realistic ECS terminal sessions: a fleet of instances, RAM users and roles,
 * sessions of seconds to days, some with reconnects (to the same or another instance), a few
 * failed connections with their reason, and some still open at the end of the window.
 */
import { SeededRandom } from '../../ssm-emulator/random';
import type { EmulatedConnection, EmulatedTerminalSession } from './session-model';
import { DEFAULT_REGION } from './regions';

export interface GenerateTerminalSessionsOptions {
  count: number;
  seed: number;
  /** Sessions are created in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  regionId?: string;
  /** Share of sessions with a connection still open at toMs. Default 0.05. */
  openFraction?: number;
  /** Share of sessions with more than one connection. Default 0.15. */
  reconnectFraction?: number;
  /** Share of connections that fail. Default 0.05. */
  failFraction?: number;
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ZONES = ['bp', 'uf', '2z', 'wz', 'j6', 't4', 'gw', 'rj'];
const CLOSED_REASONS = ['UserClosed', 'SessionTimeout', 'InstanceStopped', 'AgentNeedUpgrade', 'NetworkInterrupted'];
const FAILED_DETAILS = ['AgentNotOnline', 'InstanceNotRunning', 'AgentNeedUpgrade', 'PortNotListening', 'PermissionDenied'];
const IDENTITY_TYPES: ReadonlyArray<readonly [string, number]> = [['RAMUser', 60], ['AssumedRoleUser', 30], ['Account', 10]];
const NAMES = ['alice', 'bob', 'chen.wei', 'li.na', 'dmitri', 'farah', 'hiro', 'ines', 'kofi', 'wang.fang', 'ops-bot', 'deploy'];
const PORTS: ReadonlyArray<readonly [number, number]> = [[22, 80], [3389, 12], [5432, 4], [8080, 4]];

interface Person {
  principalId: string;
  username: string;
  identityType: string;
}

export function generateTerminalSessions(options: GenerateTerminalSessionsOptions, taken: { has(sessionId: string): boolean } = new Set<string>()): EmulatedTerminalSession[] {
  assertValidOptions(options);
  const random = new SeededRandom(options.seed);
  const fleet = Array.from({ length: Math.min(500, Math.max(3, Math.ceil(options.count / 15))) }, () => `i-${random.pick(ZONES)}${text(random, 18)}`);
  const people = Array.from({ length: Math.min(100, Math.max(2, Math.ceil(options.count / 80))) }, (_, index) => person(random, index));
  const used = new Set<string>();
  const sessions: EmulatedTerminalSession[] = [];
  for (let index = 0; index < options.count; index += 1) {
    let sessionId = `s-${text(random, 14)}`;
    while (used.has(sessionId) || taken.has(sessionId)) sessionId = `s-${text(random, 14)}`;
    used.add(sessionId);
    const who = people[Math.floor(people.length * random.next() ** 1.5)] as Person;
    const creationMs = random.int(Math.ceil(options.fromMs), Math.ceil(options.toMs));
    const instanceId = fleet[Math.floor(fleet.length * random.next() ** 2)] as string;
    sessions.push({
      sessionId,
      regionId: options.regionId ?? DEFAULT_REGION,
      creationMs,
      ...who,
      clientIp: `${random.int(1, 224)}.${random.int(0, 256)}.${random.int(0, 256)}.${random.int(1, 255)}`,
      portNumber: random.weighted(PORTS),
      targetServer: `192.168.${random.int(0, 256)}.${random.int(1, 255)}`,
      connections: connectionsFor(random, creationMs, instanceId, fleet, options),
    });
  }
  return sessions;
}

function connectionsFor(random: SeededRandom, creationMs: number, instanceId: string, fleet: readonly string[], options: GenerateTerminalSessionsOptions): EmulatedConnection[] {
  const count = random.chance(options.reconnectFraction ?? 0.15) ? random.int(2, 5) : 1;
  const open = random.chance(options.openFraction ?? 0.05);
  const connections: EmulatedConnection[] = [];
  let startMs = creationMs + random.int(0, 3 * SECOND_MS);
  for (let index = 0; index < count; index += 1) {
    const last = index === count - 1;
    const failed = random.chance(options.failFraction ?? 0.05);
    const target = index > 0 && random.chance(0.2) ? random.pick(fleet) : instanceId;
    const durationMs = failed ? random.logUniform(SECOND_MS, 30 * SECOND_MS) : random.chance(0.02) ? random.logUniform(DAY_MS, 5 * DAY_MS) : random.logUniform(5 * SECOND_MS, DAY_MS);
    const connection: EmulatedConnection = { instanceId: target, startMs, connectingMs: random.int(200, 4 * SECOND_MS), endMs: startMs + Math.round(durationMs), endStatus: failed ? 'Failed' : 'Terminated' };
    if (failed) {
      // It never connected: Connecting until it failed.
      connection.connectingMs = (connection.endMs ?? startMs) - startMs + 1;
      connection.failedDetail = random.pick(FAILED_DETAILS);
    }
    if (failed || random.chance(0.3)) connection.closedReason = random.pick(CLOSED_REASONS);
    if (last && open) {
      // Still open at toMs: no end yet, or one that lies beyond the window.
      connection.endStatus = 'Terminated';
      delete connection.failedDetail;
      connection.endMs = random.chance(0.5) ? null : Math.max(options.toMs, startMs) + Math.round(random.logUniform(MINUTE_MS, 3 * DAY_MS));
    }
    connections.push(connection);
    if (connection.endMs === null) break;
    startMs = connection.endMs + Math.round(random.logUniform(SECOND_MS, 6 * 60 * MINUTE_MS));
  }
  return connections;
}

function person(random: SeededRandom, index: number): Person {
  const identityType = random.weighted(IDENTITY_TYPES);
  const name = `${random.pick(NAMES)}${index}`;
  if (identityType === 'Account') return { principalId: digits(random, 16), username: 'root', identityType };
  if (identityType === 'AssumedRoleUser') return { principalId: `${digits(random, 18)}:${name}`, username: `role-ops/${name}`, identityType };
  return { principalId: digits(random, 16), username: `${name}@example.onaliyun.com`, identityType };
}

function text(random: SeededRandom, length: number): string {
  let out = '';
  for (let index = 0; index < length; index += 1) out += ALPHANUMERIC[random.int(0, ALPHANUMERIC.length)];
  return out;
}

function digits(random: SeededRandom, length: number): string {
  let out = String(random.int(1, 10));
  while (out.length < length) out += String(random.int(0, 10));
  return out;
}

function assertValidOptions(options: GenerateTerminalSessionsOptions): void {
  if (!Number.isInteger(options.count) || options.count < 0) throw new RangeError('count must be a non-negative integer');
  if (!Number.isFinite(options.fromMs) || !Number.isFinite(options.toMs) || options.toMs <= options.fromMs) throw new RangeError('fromMs and toMs must be finite with fromMs < toMs');
  for (const name of ['openFraction', 'reconnectFraction', 'failFraction'] as const) {
    const value = options[name];
    if (value !== undefined && !(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1`);
  }
}
