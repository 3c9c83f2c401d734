/** The compliance rules, for the findings filter (lambdas/core/compliance/rules.ts holds them with zod; a unit test keeps the two equal). */
export const RULES = ['max-duration', 'reason-required', 'owner-not-allowed', 'forbidden-document', 'just-in-time-required', 'off-hours'] as const;
