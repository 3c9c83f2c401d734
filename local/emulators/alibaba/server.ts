/**
 * The Alibaba Cloud ECS emulator: the RPC endpoint (POST or GET /, V3 or V2 signatures) answering
 * DescribeTerminalSessions on 127.0.0.1, with retention, result order, seeded faults, a
 * controllable clock, and the in-process handle tests drive.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock, SystemClock, type EmulatorClock } from '../../ssm-emulator/clock';
import { FaultInjector, type FaultSettings } from '../../ssm-emulator/faults';
import { endpointHost } from '../../ssm-emulator/http';
import { RequestAuthenticator, DEFAULT_MAX_SKEW_MS, type AccessKeyPair } from './authenticate';
import type { ListingContext } from './describe-terminal-sessions';
import { NextTokenCodec } from './next-token';
import { ALIBABA_REGIONS } from './regions';
import { ListingOrder, type ResultOrder } from './result-order';
import { DEFAULT_RECORD_CAP, DEFAULT_RETENTION_DAYS, assertValidRules } from './retention';
import { TerminalSessionStore } from './session-store';
import { ShownPages, type AlibabaShownRecorder } from './shown-recorder';
import { sessionHelpers, type SessionHelpers } from './session-helpers';
import { emptyStats, requestHandler, type AlibabaEmulatorStats } from './request-handler';

const DAY_MS = 86_400_000;

export interface AlibabaEmulatorOptions {
  /** The key pairs whose signatures the emulator accepts. */
  accessKeys: readonly AccessKeyPair[];
  /** Default 0 (any free port). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** The host's clock. Default: a ManualClock at Date.now(). Alibaba's clock is this plus `clockOffsetMs`. */
  clock?: EmulatorClock;
  /** How far Alibaba's clock runs from the host's (ms, either sign): listings, token ages and the Date header use it. */
  clockOffsetMs?: number;
  /**
   * The clock request dates (x-acs-date, Timestamp) are checked against, within `maxSkewMs`.
   * Default: the real time, since SDKs stamp requests with it while a test moves `clock` by days.
   */
  signingClock?: EmulatorClock;
  /** Default 15 minutes. */
  maxSkewMs?: number;
  /** Regions that exist. Default: Alibaba's public ECS regions. */
  regions?: readonly string[];
  /** Default 30. */
  retentionDays?: number;
  /** Default 1,000. */
  recordCap?: number;
  /** Default 'newest'. */
  order?: ResultOrder;
  /** Seed of the 'shuffled' and 'scattered' orders. Default 1. */
  orderSeed?: number;
  /** NextTokens older than this are refused. Default: they never expire. */
  nextTokenTtlMs?: number;
  faults?: FaultSettings;
}

export interface AlibabaEmulator extends SessionHelpers {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `127.0.0.1:PORT`: what the SDK's Config takes as `endpoint` (with protocol 'HTTP'). */
  readonly endpoint: string;
  readonly port: number;
  /** The host's clock. */
  readonly clock: EmulatorClock;
  /** Alibaba's notion of now: the host clock plus the offset. */
  alibabaNow(): number;
  /** Moves the host clock forward (a ManualClock only). */
  advance(ms: number): void;
  setClockOffset(ms: number): void;
  /** Every page every listing showed. */
  readonly shown: AlibabaShownRecorder;
  setOrder(order: ResultOrder, seed?: number): void;
  setFaults(faults: FaultSettings | undefined): void;
  readonly stats: AlibabaEmulatorStats;
  resetStats(): void;
  close(): Promise<void>;
}

export async function startAlibabaEmulator(options: AlibabaEmulatorOptions): Promise<AlibabaEmulator> {
  const retention = { retentionMs: (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * DAY_MS, recordCap: options.recordCap ?? DEFAULT_RECORD_CAP };
  assertValidRules(retention);
  const hostClock = options.clock ?? new ManualClock(Date.now());
  let offsetMs = finiteMs(options.clockOffsetMs ?? 0, 'clockOffsetMs');
  const clock: EmulatorClock = { now: () => hostClock.now() + offsetMs };
  const signingClock = options.signingClock ?? new SystemClock();
  const authenticator = new RequestAuthenticator(options.accessKeys, options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS);
  const faults = new FaultInjector(options.faults);
  const store = new TerminalSessionStore();
  const context: ListingContext = {
    store,
    clock,
    regions: new Set(options.regions ?? ALIBABA_REGIONS),
    retention,
    order: new ListingOrder(options.order ?? 'newest', options.orderSeed ?? 1),
    tokens: new NextTokenCodec(options.nextTokenTtlMs),
    shown: new ShownPages(),
  };
  const stats = emptyStats();
  const hostId = `ecs.${[...context.regions][0] ?? 'local'}.aliyuncs.com`;
  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const answer = requestHandler({ context, authenticator, signingClock, faults, stats, hostId, delay });
  const server = createServer((request, response) => void answer(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `${endpointHost(options.host ?? '127.0.0.1')}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${endpoint}`,
    endpoint,
    port,
    clock: hostClock,
    alibabaNow: () => clock.now(),
    advance(ms) {
      if (!(hostClock instanceof ManualClock)) throw new Error('advance() needs the emulator to run on a ManualClock');
      hostClock.advance(ms);
    },
    setClockOffset(ms) {
      offsetMs = finiteMs(ms, 'clock offset');
    },
    shown: context.shown,
    ...sessionHelpers(store, clock, context),
    setOrder: (order, seed) => context.order.configure(order, seed),
    setFaults: (settings) => faults.configure(settings),
    stats,
    resetStats: () => Object.assign(stats, emptyStats()),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function finiteMs(value: number, name: string): number {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number of milliseconds`);
  return value;
}
