/** Score and lexicographic ranges as Redis parses them (zrangespec, zlexrangespec). */

export interface ScoreRange {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** One end of a lex range: "-" (infinity -1), "+" (infinity 1), or "[value" / "(value". */
export interface LexBound {
  value: string;
  exclusive: boolean;
  infinity: -1 | 0 | 1;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

export const scoreGteMin = (score: number, r: ScoreRange) =>
  r.minExclusive ? score > r.min : score >= r.min;
export const scoreLteMax = (score: number, r: ScoreRange) =>
  r.maxExclusive ? score < r.max : score <= r.max;

/** zslIsInRange's first test: ranges that can never match anything. */
export const scoreRangeEmpty = (r: ScoreRange) =>
  r.min > r.max || (r.min === r.max && (r.minExclusive || r.maxExclusive));

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** sdscmplex between a member and a bound. */
function compareToBound(member: string, bound: LexBound): number {
  if (bound.infinity !== 0) return -bound.infinity;
  return compareStrings(member, bound.value);
}

export const lexGteMin = (member: string, r: LexRange) =>
  r.min.exclusive ? compareToBound(member, r.min) > 0 : compareToBound(member, r.min) >= 0;
export const lexLteMax = (member: string, r: LexRange) =>
  r.max.exclusive ? compareToBound(member, r.max) < 0 : compareToBound(member, r.max) <= 0;

/** zslIsInLexRange's first test: sdscmplex(min, max) > 0, or equal with an exclusive end. */
export function lexRangeEmpty(r: LexRange): boolean {
  const { min, max } = r;
  let cmp: number;
  if (min.infinity !== 0 && min.infinity === max.infinity) cmp = 0;
  else if (min.infinity === -1 || max.infinity === 1) cmp = -1;
  else if (min.infinity === 1 || max.infinity === -1) cmp = 1;
  else cmp = compareStrings(min.value, max.value);
  return cmp > 0 || (cmp === 0 && (min.exclusive || max.exclusive));
}
