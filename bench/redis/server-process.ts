/**
 * The embedded server in a process of its own, so the benchmark client never shares its event loop
 * (servers.ts bundles this file with esbuild and runs `node <bundle> <port> [<unix socket path>]`).
 * Prints "ready <port>" once listening; exits cleanly on SIGTERM/SIGINT (which lets --cpu-prof write
 * its profile).
 */
import { RedisServer } from "../../src/redis/index.js";

const port = Number(process.argv[2] ?? 0);
const unixSocketPath = process.argv[3] ?? "";
const server = new RedisServer(
  { port, unixSocketPath },
  { onInternalError: (error, command) => console.error(`internal error in ${command}:`, error) },
);
await server.start();
console.log(`ready ${server.port}`);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
