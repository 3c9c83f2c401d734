/**
 * A pairwise covering array: rows of settings such that every value of every factor meets every
 * value of every other factor in at least one row. Far fewer rows than the full product, and
 * still every interaction of two guesses is tried. Deterministic (greedy, no randomness).
 */

export type Factors = Record<string, readonly unknown[]>;
export type Row<F extends Factors> = { [K in keyof F]: F[K][number] };

interface Pair {
  a: number;
  va: number;
  b: number;
  vb: number;
}

/** Every row of the full product of the factors (for small sets, or to check a covering array). */
export function allCombinations<F extends Factors>(factors: F): Row<F>[] {
  const names = Object.keys(factors);
  let rows: Record<string, unknown>[] = [{}];
  for (const name of names) rows = rows.flatMap((row) => (factors[name] ?? []).map((value) => ({ ...row, [name]: value })));
  return rows as Row<F>[];
}

export function pairwiseCoveringArray<F extends Factors>(factors: F): Row<F>[] {
  const names = Object.keys(factors);
  const sizes = names.map((name) => (factors[name] ?? []).length);
  if (sizes.some((size) => size === 0)) throw new RangeError('every factor needs at least one value');
  if (names.length < 2) return allCombinations(factors);

  const key = (a: number, va: number, b: number, vb: number): string => `${a}:${va}|${b}:${vb}`;
  const uncovered = new Map<string, Pair>();
  for (let a = 0; a < names.length; a++) {
    for (let b = a + 1; b < names.length; b++) {
      for (let va = 0; va < (sizes[a] as number); va++) for (let vb = 0; vb < (sizes[b] as number); vb++) uncovered.set(key(a, va, b, vb), { a, va, b, vb });
    }
  }
  const newPairs = (row: (number | undefined)[], factor: number, value: number): number => {
    let count = 0;
    row.forEach((other, index) => {
      if (other === undefined || index === factor) return;
      const [a, va, b, vb] = index < factor ? [index, other, factor, value] : [factor, value, index, other];
      if (uncovered.has(key(a, va, b, vb))) count++;
    });
    return count;
  };

  const rows: number[][] = [];
  while (uncovered.size > 0) {
    // Seed each row with the first pair still uncovered, so every row makes progress.
    const seed = uncovered.values().next().value as Pair;
    const row: (number | undefined)[] = names.map(() => undefined);
    row[seed.a] = seed.va;
    row[seed.b] = seed.vb;
    for (let factor = 0; factor < names.length; factor++) {
      if (row[factor] !== undefined) continue;
      let best = 0;
      let bestCount = -1;
      for (let value = 0; value < (sizes[factor] as number); value++) {
        const count = newPairs(row, factor, value);
        if (count > bestCount) [best, bestCount] = [value, count];
      }
      row[factor] = best;
    }
    const full = row as number[];
    for (let a = 0; a < names.length; a++) for (let b = a + 1; b < names.length; b++) uncovered.delete(key(a, full[a] as number, b, full[b] as number));
    rows.push(full);
  }
  return rows.map((row) => Object.fromEntries(names.map((name, index) => [name, (factors[name] as readonly unknown[])[row[index] as number]])) as Row<F>);
}

/** The pairs of values of different factors that no row holds (empty = the rows cover all pairs). */
export function missingPairs<F extends Factors>(factors: F, rows: readonly Row<F>[]): string[] {
  const names = Object.keys(factors);
  const missing: string[] = [];
  for (let a = 0; a < names.length; a++) {
    for (let b = a + 1; b < names.length; b++) {
      const [na, nb] = [names[a] as string, names[b] as string];
      for (const va of factors[na] ?? []) {
        for (const vb of factors[nb] ?? []) {
          const held = rows.some((row) => Object.is((row as Record<string, unknown>)[na], va) && Object.is((row as Record<string, unknown>)[nb], vb));
          if (!held) missing.push(`${na}=${String(va)} with ${nb}=${String(vb)}`);
        }
      }
    }
  }
  return missing;
}
