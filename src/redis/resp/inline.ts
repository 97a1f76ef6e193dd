/**
 * Splits an inline command line like Redis's sdssplitargs: spaces separate arguments; "double
 * quotes" take \n \r \t \b \a \\ \" and \xHH escapes; 'single quotes' take \'. A closing quote must be
 * followed by a space or the end. Returns undefined for unbalanced quotes.
 */
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" };
const isSpace = (c: string | undefined) =>
  c === " " || c === "\n" || c === "\r" || c === "\t" || c === "\v" || c === "\f";
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

export function splitInlineArgs(line: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  for (;;) {
    while (isSpace(line[i])) i++;
    if (i >= line.length) return args;
    let current = "";
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      const c = line[i];
      if (inDouble) {
        if (c === undefined) return undefined;
        if (c === "\\" && line[i + 1] === "x" && isHex(line[i + 2]) && isHex(line[i + 3])) {
          current += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === "\\" && line[i + 1] !== undefined) {
          i++;
          current += ESCAPES[line[i] as string] ?? line[i];
        } else if (c === '"') {
          if (line[i + 1] !== undefined && !isSpace(line[i + 1])) return undefined;
          i++;
          break;
        } else current += c;
      } else if (inSingle) {
        if (c === undefined) return undefined;
        if (c === "\\" && line[i + 1] === "'") {
          i++;
          current += "'";
        } else if (c === "'") {
          if (line[i + 1] !== undefined && !isSpace(line[i + 1])) return undefined;
          i++;
          break;
        } else current += c;
      } else if (c === undefined || isSpace(c)) {
        break;
      } else if (c === '"') inDouble = true;
      else if (c === "'") inSingle = true;
      else current += c;
      i++;
    }
    args.push(current);
  }
}
