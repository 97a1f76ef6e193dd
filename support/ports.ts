/** Ports for the servers tests and benchmarks start: one free now, and waiting for one to listen. */
import net from "node:net";

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True once something accepts connections on 127.0.0.1:`port`; false after `attempts` × 50 ms. */
export async function waitForPort(port: number, attempts = 100): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const up = await new Promise<boolean>((resolve) => {
      const probe = net.connect({ port, host: "127.0.0.1" }, () => {
        probe.destroy();
        resolve(true);
      });
      probe.on("error", () => resolve(false));
    });
    if (up) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
