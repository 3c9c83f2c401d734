/**
 * The planner's run: list the targets (Organizations OUs or the explicit list, × regions), hand
 * them to the fan-out, and count the stale ones — targets whose last complete sweep is older than
 * the threshold — for one alarm over the whole organisation (never one alarm per target).
 */
import type { CoreLogger } from '../sweep/ports';
import type { SweepStateEntry } from '../query/ports';
import { scopeKey } from '../session/session';
import { planTargets, type Hub, type OrganizationDirectory, type PlannedTarget, type TargetPlan } from './target-planner';
import type { TargetsConfig } from './targets';
import { toIso } from '../shared/time';

/** Where planned targets go: a queue the sweeper drains, or the local fan-out. */
export interface TargetQueue {
  send(targets: readonly PlannedTarget[]): Promise<void>;
}

export interface PlanRunPorts {
  config: TargetsConfig;
  hub: Hub;
  directory?: OrganizationDirectory;
  queue: TargetQueue;
  sweepStates(): Promise<SweepStateEntry[]>;
  now(): number;
  logger: CoreLogger;
}

export interface PlanRunSummary {
  targets: number;
  skippedAccounts: number;
  staleTargets: number;
  failingTargets: number;
}

export async function planRun(ports: PlanRunPorts, staleAfterMs: number): Promise<PlanRunSummary> {
  const plan = await planTargets(ports.config, ports.hub, ports.directory);
  reportSkipped(plan, ports.logger);
  await ports.queue.send(plan.targets);
  const { stale, failing } = staleTargets(plan.targets, await ports.sweepStates(), ports.now(), staleAfterMs);
  for (const entry of stale) ports.logger.warn('stale target', entry);
  return { targets: plan.targets.length, skippedAccounts: plan.skipped.length, staleTargets: stale.length, failingTargets: failing };
}

/**
 * A planned target is stale when it has been swept before and its last complete sweep is older
 * than the threshold (a target never swept yet is new, not stale, until the threshold passes
 * after its first failure).
 */
export function staleTargets(targets: readonly PlannedTarget[], states: readonly SweepStateEntry[], nowMs: number, staleAfterMs: number): { stale: Record<string, string | null>[]; failing: number } {
  const byKey = new Map(states.map((entry) => [scopeKey(entry.scope), entry.state]));
  const stale: Record<string, string | null>[] = [];
  let failing = 0;
  for (const target of targets) {
    const state = byKey.get(scopeKey(target));
    if (!state) continue;
    if (state.lastError) failing++;
    const since = state.lastCompletedAt ?? state.lastError?.since;
    if (since === undefined || nowMs - since <= staleAfterMs) continue;
    stale.push({ target: scopeKey(target), lastCompletedAt: state.lastCompletedAt === undefined ? null : toIso(state.lastCompletedAt), lastError: state.lastError?.kind ?? null });
  }
  return { stale, failing };
}

function reportSkipped(plan: TargetPlan, logger: CoreLogger): void {
  for (const skipped of plan.skipped) logger.warn('account skipped', { ...skipped });
  if (plan.unmatchedExclusions.length > 0) logger.warn('excludeAccounts entries matched no account', { accounts: plan.unmatchedExclusions });
}
