/**
 * Splits an inline command line exactly like Redis's sdssplitargs: whitespace separates arguments
 * (only space, \n, \r, \t and NUL end an unquoted one; a NUL ends the whole line, as in C);
 * "double quotes" take \n \r \t \b \a and \xHH escapes (any other escaped character stands for
 * itself); 'single quotes' take \'. A closing quote must be followed by whitespace or the end.
 * Returns undefined for unbalanced quotes.
 */
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" };
/** C's isspace. */
const isSpace = (c: string | undefined) =>
  c === " " || c === "\n" || c === "\r" || c === "\t" || c === "\v" || c === "\f";
/** What ends an unquoted argument in sdssplitargs. */
const endsWord = (c: string | undefined) =>
  c === undefined || c === " " || c === "\n" || c === "\r" || c === "\t" || c === "\0";
const isHex = (c: string | undefined) =>
  c !== undefined && ((c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F"));
/** The end of the string in C: its length, or its first NUL. */
const atEnd = (line: string, i: number) => i >= line.length || line[i] === "\0";

export function splitInlineArgs(line: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  for (;;) {
    while (!atEnd(line, i) && isSpace(line[i])) i++;
    if (atEnd(line, i)) return args;
    const word = readWord(line, i);
    if (word === undefined) return undefined;
    args.push(word[0]);
    i = word[1];
  }
}

/** One argument from `i`: its text and where the scan goes on, or undefined (unbalanced quotes). */
function readWord(line: string, i: number): [string, number] | undefined {
  let current = "";
  let inDouble = false;
  let inSingle = false;
  for (;;) {
    const c = line[i];
    if (inDouble) {
      if (atEnd(line, i)) return undefined;
      if (c === "\\" && line[i + 1] === "x" && isHex(line[i + 2]) && isHex(line[i + 3])) {
        current += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16));
        i += 3;
      } else if (c === "\\" && !atEnd(line, i + 1)) {
        i++;
        current += ESCAPES[line[i] as string] ?? line[i];
      } else if (c === '"') {
        if (!atEnd(line, i + 1) && !isSpace(line[i + 1])) return undefined;
        return [current, i + 1];
      } else current += c;
    } else if (inSingle) {
      if (atEnd(line, i)) return undefined;
      if (c === "\\" && line[i + 1] === "'") {
        i++;
        current += "'";
      } else if (c === "'") {
        if (!atEnd(line, i + 1) && !isSpace(line[i + 1])) return undefined;
        return [current, i + 1];
      } else current += c;
    } else if (endsWord(c)) {
      return [current, c === undefined || c === "\0" ? i : i + 1];
    } else if (c === '"') inDouble = true;
    else if (c === "'") inSingle = true;
    else current += c;
    i++;
  }
}
