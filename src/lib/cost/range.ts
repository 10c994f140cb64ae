/** A number known only within bounds: the lowest plausible value, the best guess, the highest. Pure. */
export interface Range {
  low: number;
  point: number;
  high: number;
}

export const exact = (x: number): Range => ({ low: x, point: x, high: x });

export const isExact = (r: Range): boolean => r.low === r.high;

export const addRanges = (...rs: Range[]): Range =>
  rs.reduce((a, r) => ({ low: a.low + r.low, point: a.point + r.point, high: a.high + r.high }), exact(0));

export const scaleRange = (r: Range, k: number): Range => ({
  low: r.low * k,
  point: r.point * k,
  high: r.high * k,
});

/** Rounds every bound up to whole tokens (the API bills whole tokens). */
export const ceilRange = (r: Range): Range => ({
  low: Math.ceil(r.low),
  point: Math.ceil(r.point),
  high: Math.ceil(r.high),
});

/** The range spanning a set of values, with `point` as the best guess. */
export function spanOf(values: number[], point: number): Range {
  return { low: Math.min(point, ...values), point, high: Math.max(point, ...values) };
}
