/**
 * Redis's glob matching (util.c stringmatchlen, 7.x): `*`, `?`, `[abc]`, `[^a-z]`, `\x` escapes,
 * with its corner cases (an unclosed `[` or a trailing `\` match as Redis does; C's signed chars in
 * ranges; ASCII-only case folding). Works on latin1 strings, so it is byte-exact.
 */
const STAR = 42;
const QUESTION = 63;
const OPEN = 91;
const CLOSE = 93;
const CARET = 94;
const BACKSLASH = 92;
const DASH = 45;
const MAX_NESTING = 1000;

export function globMatch(pattern: string, text: string, nocase = false): boolean {
  return matchFrom(pattern, 0, text, 0, nocase, { skipLongerMatches: false }, 0);
}

/** C's tolower in the C locale. */
const lower = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
/** A byte as C's (signed) char. */
const signed = (c: number) => (c > 127 ? c - 256 : c);

function matchFrom(
  p: string,
  pi: number,
  s: string,
  si: number,
  nocase: boolean,
  state: { skipLongerMatches: boolean },
  nesting: number,
): boolean {
  if (nesting > MAX_NESTING) return false; // Redis gives up rather than recurse without bound
  const same = (a: number, b: number) => (nocase ? lower(a) === lower(b) : a === b);
  while (pi < p.length && si < s.length) {
    const c = p.charCodeAt(pi);
    if (c === STAR) {
      while (pi + 1 < p.length && p.charCodeAt(pi + 1) === STAR) pi++;
      if (pi + 1 === p.length) return true;
      while (si < s.length) {
        if (matchFrom(p, pi + 1, s, si, nocase, state, nesting + 1)) return true;
        if (state.skipLongerMatches) return false;
        si++;
      }
      state.skipLongerMatches = true;
      return false;
    }
    if (c === QUESTION) {
      si++;
    } else if (c === OPEN) {
      const [matched, next] = matchClass(p, pi + 1, s.charCodeAt(si), nocase);
      if (!matched) return false;
      pi = next;
      si++;
    } else {
      if (c === BACKSLASH && pi + 1 < p.length) pi++;
      if (!same(p.charCodeAt(pi), s.charCodeAt(si))) return false;
      si++;
    }
    pi++;
    if (si === s.length) {
      while (pi < p.length && p.charCodeAt(pi) === STAR) pi++;
      break;
    }
  }
  return pi === p.length && si === s.length;
}

/** Matches `ch` against the class starting at `pi` (after `[`); returns the index of its `]`. */
function matchClass(p: string, pi: number, ch: number, nocase: boolean): [boolean, number] {
  const not = p.charCodeAt(pi) === CARET;
  if (not) pi++;
  let match = false;
  for (;;) {
    if (p.charCodeAt(pi) === BACKSLASH && pi + 1 < p.length) {
      pi++;
      if (p.charCodeAt(pi) === ch) match = true;
    } else if (p.charCodeAt(pi) === CLOSE) {
      break;
    } else if (pi >= p.length) {
      pi--; // an unclosed class ends on the pattern's last character
      break;
    } else if (pi + 2 < p.length && p.charCodeAt(pi + 1) === DASH) {
      let start = signed(p.charCodeAt(pi));
      let end = signed(p.charCodeAt(pi + 2));
      let c = signed(ch);
      if (start > end) [start, end] = [end, start];
      if (nocase) {
        start = lower(start);
        end = lower(end);
        c = lower(c);
      }
      pi += 2;
      if (c >= start && c <= end) match = true;
    } else if (nocase ? lower(p.charCodeAt(pi)) === lower(ch) : p.charCodeAt(pi) === ch) {
      match = true;
    }
    pi++;
  }
  return [not ? !match : match, pi];
}
