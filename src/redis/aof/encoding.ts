/** One command to log and the database it ran in. */
export interface LoggedCommand {
  db: number;
  argv: readonly string[];
}

/** `argv` as a RESP multibulk, the form of every command in an AOF (latin1: one char per byte). */
export function encodeCommand(argv: readonly string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const arg of argv) out += `$${arg.length}\r\n${arg}\r\n`;
  return out;
}

const MULTI = encodeCommand(["MULTI"]);
const EXEC = encodeCommand(["EXEC"]);

/**
 * Turns logged commands into AOF text for one file, adding a SELECT whenever the database changes,
 * as Redis's feedAppendOnlyFile does. Each file (the live AOF, a rewrite) has its own encoder.
 */
export class CommandEncoder {
  /** The database the file's reader is in after the text so far; -1 before the first SELECT. */
  selectedDb = -1;

  /** `atomic`: several commands of one MULTI/EXEC (or one command that logs several) wrapped as one. */
  encode(commands: readonly LoggedCommand[], atomic: boolean): string {
    const first = commands[0];
    if (first === undefined) return "";
    let out = "";
    if (atomic) out += this.select(first.db) + MULTI;
    for (const command of commands) out += this.select(command.db) + encodeCommand(command.argv);
    if (atomic) out += EXEC;
    return out;
  }

  select(db: number): string {
    if (db === this.selectedDb) return "";
    this.selectedDb = db;
    return encodeCommand(["SELECT", String(db)]);
  }
}
