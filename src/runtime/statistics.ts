/**
 * Order statistics exactly as DESIGN.md defines them for delivery metrics.
 */

function ascending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Median: the middle value for an odd count, the mean of the two middle values for an even count; `null` when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) {
    return null;
  }
  const sorted = ascending(values);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Percentile by nearest rank: sorted ascending, the element at index ceil(p/100 · n) − 1; `null` when empty.
 */
export function percentileNearestRank(values: readonly number[], percentile: number): number | null {
  if (values.length === 0) {
    return null;
  }
  const sorted = ascending(values);
  const index = Math.max(0, Math.ceil((percentile * sorted.length) / 100) - 1);
  return sorted[index];
}

/** Arithmetic mean; `null` when empty. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) {
    return null;
  }
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * The smallest value, `undefined` when there is none. A loop, not `Math.min(...values)`: spreading an array into a
 * call's arguments overflows the stack for large arrays (about 100,000 values and more).
 */
export function minimum(values: Iterable<number>): number | undefined {
  let result: number | undefined;
  for (const value of values) {
    if (result === undefined || value < result) {
      result = value;
    }
  }
  return result;
}

/** The largest value, `undefined` when there is none (a loop, as `minimum`). */
export function maximum(values: Iterable<number>): number | undefined {
  let result: number | undefined;
  for (const value of values) {
    if (result === undefined || value > result) {
      result = value;
    }
  }
  return result;
}
