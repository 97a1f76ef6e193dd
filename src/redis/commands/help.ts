import { err } from "../errors.js";
import type { Reply } from "../resp/reply.js";

/** A container's HELP reply, framed as Redis's addReplyHelp frames it. */
export function replyHelp(reply: Reply, command: string, lines: readonly string[]): void {
  reply.array(lines.length + 3);
  reply.simple(`${command.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) reply.simple(line);
  reply.simple("HELP");
  reply.simple("    Prints this help.");
}

/** Redis's addReplySubcommandSyntaxError: a known subcommand with arguments it does not take. */
export function subcommandSyntaxError(argv: readonly string[]): Error {
  return err(
    `unknown subcommand or wrong number of arguments for '${(argv[1] as string).slice(0, 128)}'. Try ${(argv[0] as string).toUpperCase()} HELP.`,
  );
}
