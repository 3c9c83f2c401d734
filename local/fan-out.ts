/**
 * The local stand-in for the deployed fan-out engine: every planned target swept by the same
 * per-target code, at most `concurrency` at once. A failing target is reported and the others go
 * on, as they do under Step Functions.
 */
import type { PlannedTarget } from '../lambdas/core/targets/target-planner';
import { TargetSweepError, type TargetSweepResult } from '../lambdas/core/sweep/target-sweep';
import type { SweepSummary } from '../lambdas/core/sweep/sweep';
import type { TargetFailureKind } from '../lambdas/core/sweep/sweep-state';
import { mapWithConcurrency } from '../lambdas/core/shared/concurrency';

export type TargetOutcome =
  | { target: PlannedTarget; status: 'swept'; summary: SweepSummary }
  | { target: PlannedTarget; status: 'busy' }
  | { target: PlannedTarget; status: 'failed'; kind: TargetFailureKind; message: string };

export async function sweepTargets(
  targets: readonly PlannedTarget[],
  concurrency: number,
  sweepOne: (target: PlannedTarget) => Promise<TargetSweepResult>,
): Promise<TargetOutcome[]> {
  return mapWithConcurrency([...targets], concurrency, async (target): Promise<TargetOutcome> => {
    try {
      const result = await sweepOne(target);
      return result.status === 'swept' ? { target, status: 'swept', summary: result.summary } : { target, status: 'busy' };
    } catch (error: unknown) {
      if (error instanceof TargetSweepError) return { target, status: 'failed', kind: error.kind, message: error.message };
      throw error;
    }
  });
}
