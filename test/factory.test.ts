import { describe, expect, it } from "vitest";
import { type Config, defaultConfig } from "../src/config.js";
import {
  ConfigError,
  FactoryStateError,
  ServiceDependencyError,
  ServiceNotEnabledError,
  ServiceRegistryError,
  ServiceStartError,
  ServiceStopError,
} from "../src/errors.js";
import { ServerFactory, type ServiceDefinition } from "../src/factory.js";
import {
  type CapturedLogger,
  canConnect,
  captureLogger,
  definition,
  type EventLog,
  FakeService,
  occupyPort,
  TcpListenerService,
} from "./helpers/services.js";

function configWith(overrides: Partial<Config> = {}): Config {
  return { ...defaultConfig(), ...overrides };
}

function factoryWith(
  services: ServiceDefinition[],
  overrides: Partial<Config> = {},
  log: CapturedLogger = captureLogger(),
): ServerFactory {
  return new ServerFactory(configWith(overrides), { services, logger: log.logger });
}

describe("ServerFactory start order", () => {
  it("starts in dependency order, serves, and stops in reverse order", async () => {
    const events: EventLog = [];
    const redis = new TcpListenerService("redis", events, 0);
    const webdav = new TcpListenerService("webdav", events, 0);
    // Registry order deliberately opposite to the dependency order.
    const factory = factoryWith([
      definition("ui", "enableUI", ["jobs"], () => new FakeService("ui", events)),
      definition("jobs", "enableJobs", ["redis"], () => new FakeService("jobs", events)),
      definition("webdav", "enableWebDAV", [], () => webdav),
      definition("redis", "enableRedis", [], () => redis),
    ]);

    await factory.start();
    const started = events.map((event) => event.replace("start:", ""));
    expect(started.indexOf("redis")).toBeLessThan(started.indexOf("jobs"));
    expect(started.indexOf("jobs")).toBeLessThan(started.indexOf("ui"));
    expect(started).toHaveLength(4);
    const redisPort = redis.boundPort ?? -1;
    expect(await canConnect(redisPort)).toBe(true);

    events.length = 0;
    await factory.stop();
    expect(events).toEqual([...started].reverse().map((name) => `stop:${name}`));
    expect(await canConnect(redisPort)).toBe(false);
  });

  it("orders after a dependency that is disabled without requiring it", async () => {
    const events: EventLog = [];
    const factory = factoryWith(
      [
        definition("jobs", "enableJobs", ["redis"], () => new FakeService("jobs", events)),
        definition("redis", "enableRedis", [], () => new FakeService("redis", events)),
      ],
      { enableRedis: false },
    );
    await factory.start();
    expect(events).toEqual(["start:jobs"]);
    await factory.stop();
  });

  it("rejects a registry with a cycle, an unknown dependency or a duplicate name", () => {
    const fake = () => new FakeService("x", []);
    expect(() =>
      factoryWith([
        definition("jobs", "enableJobs", ["ui"], fake),
        definition("ui", "enableUI", ["jobs"], fake),
      ]),
    ).toThrow(/cycle: jobs -> ui -> jobs/);
    expect(() => factoryWith([definition("jobs", "enableJobs", ["postgres"], fake)])).toThrow(
      ServiceRegistryError,
    );
    expect(() =>
      factoryWith([definition("jobs", "enableJobs", [], fake), definition("jobs", "enableUI", [], fake)]),
    ).toThrow(/duplicate service "jobs"/);
  });

  it("validates the config it is given", () => {
    const config = { ...defaultConfig(), redis: { ...defaultConfig().redis, tcpPort: 70000 } };
    expect(() => new ServerFactory(config, { services: [] })).toThrow(ConfigError);
  });
});

describe("ServerFactory start failure", () => {
  it("stops the services already started and names the failing service and cause", async () => {
    const events: EventLog = [];
    const blocker = await occupyPort();
    const redis = new TcpListenerService("redis", events, 0);
    const factory = factoryWith([
      definition("redis", "enableRedis", [], () => redis),
      definition("jobs", "enableJobs", ["redis"], () => new TcpListenerService("jobs", events, blocker.port)),
      definition("ui", "enableUI", ["jobs"], () => new FakeService("ui", events)),
    ]);
    try {
      const failure = await factory.start().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ServiceStartError);
      expect(failure).toMatchObject({ code: "HEROAGENT_ERR_SERVICE_START", service: "jobs" });
      expect((failure as Error).message).toMatch(/^service "jobs" failed to start: .*EADDRINUSE/);
      expect(events).toEqual(["start:redis", "start:jobs", "stop:redis"]);
      expect(redis.boundPort).toBeUndefined();

      const states = Object.fromEntries(factory.status().map((s) => [s.name, s]));
      expect(states.redis?.state).toBe("stopped");
      expect(states.jobs).toMatchObject({ state: "failed", error: expect.stringMatching(/EADDRINUSE/) });
      expect(states.ui?.state).toBe("stopped");
      await factory.stop(); // nothing left to stop
      expect(events).toHaveLength(3);
    } finally {
      await blocker.release();
    }
  });

  it("refuses a second start, and a start after stop", async () => {
    const factory = factoryWith([]);
    await factory.start();
    await expect(factory.start()).rejects.toBeInstanceOf(FactoryStateError);
    await factory.stop();
    await expect(factory.start()).rejects.toMatchObject({ code: "HEROAGENT_ERR_FACTORY_STATE" });
  });
});

describe("ServerFactory stop", () => {
  it("is idempotent and concurrent calls share one stop", async () => {
    const events: EventLog = [];
    const factory = factoryWith([
      definition("redis", "enableRedis", [], () => new FakeService("redis", events)),
    ]);
    await factory.start();
    const first = factory.stop();
    const second = factory.stop();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await factory.stop();
    expect(events.filter((event) => event.startsWith("stop:"))).toEqual(["stop:redis"]);
  });

  it("continues past a failing stop and rejects with every failure", async () => {
    const events: EventLog = [];
    const failStop = (name: string) => () => {
      throw new Error(`${name} would not close`);
    };
    const factory = factoryWith([
      definition(
        "redis",
        "enableRedis",
        [],
        () => new FakeService("redis", events, { onStop: failStop("redis") }),
      ),
      definition("webdav", "enableWebDAV", [], () => new FakeService("webdav", events)),
      definition(
        "jobs",
        "enableJobs",
        ["redis"],
        () => new FakeService("jobs", events, { onStop: failStop("jobs") }),
      ),
    ]);
    await factory.start();
    const failure = await factory.stop().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ServiceStopError);
    expect((failure as ServiceStopError).failures.map((f) => f.service)).toEqual(["jobs", "redis"]);
    expect((failure as Error).message).toMatch(
      /"jobs" \(jobs would not close\).*"redis" \(redis would not close\)/,
    );
    expect(events.filter((event) => event.startsWith("stop:"))).toHaveLength(3);
  });

  it("waits for a start in progress before stopping", async () => {
    const events: EventLog = [];
    let finishStart: () => void = () => undefined;
    const slowStart = () => new Promise<void>((resolve) => (finishStart = resolve));
    const factory = factoryWith([
      definition("redis", "enableRedis", [], () => new FakeService("redis", events, { onStart: slowStart })),
    ]);
    const starting = factory.start();
    const stopping = factory.stop();
    await Promise.resolve();
    expect(events).toEqual(["start:redis"]);
    finishStart();
    await Promise.all([starting, stopping]);
    expect(events).toEqual(["start:redis", "stop:redis"]);
    expect(factory.status()[0]?.state).toBe("stopped");
  });
});

describe("ServerFactory status", () => {
  it("reports each enabled service's state, address and unavailable services", async () => {
    const log = captureLogger();
    const redis = new TcpListenerService("redis", [], 0);
    const factory = factoryWith(
      [definition("redis", "enableRedis", [], () => redis)],
      { enableUI: false },
      log,
    );
    expect(factory.status().map((s) => [s.name, s.state])).toEqual([
      ["redis", "stopped"],
      ["webdav", "unavailable"],
      ["jobs", "unavailable"],
    ]);

    await factory.start();
    const [redisStatus] = factory.status();
    expect(redisStatus).toMatchObject({ state: "running", address: `127.0.0.1:${redis.boundPort}` });
    expect(redisStatus?.startedAt).toBeTypeOf("number");
    const started = log.lines().find((line) => line.msg === "service started");
    expect(started).toMatchObject({ service: "redis", address: redisStatus?.address });

    await factory.stop();
    expect(factory.status()[0]?.state).toBe("stopped");
  });

  it("starts with no implementations and logs each unavailable service once", async () => {
    const log = captureLogger();
    const factory = factoryWith([], {}, log);
    await factory.start();
    await factory.stop();
    const unavailable = log.lines().filter((line) => line.msg === "service not available in this build");
    expect(unavailable.map((line) => line.service)).toEqual(["redis", "webdav", "ui", "jobs"]);
    expect(factory.status().every((s) => s.state === "unavailable")).toBe(true);
  });
});

describe("ServerFactory.getJobManager", () => {
  const manager = { kind: "job manager" };
  const jobs = () =>
    definition("jobs", "enableJobs", [], () => new FakeService("jobs", [], { jobManager: manager }));

  it("returns the jobs service's job manager", () => {
    expect(factoryWith([jobs()]).getJobManager()).toBe(manager);
  });

  it("throws ServiceNotEnabledError when jobs is disabled", () => {
    const factory = factoryWith([jobs()], { enableJobs: false });
    expect(() => factory.getJobManager()).toThrow(ServiceNotEnabledError);
    expect(() => factory.getJobManager()).toThrow(/service "jobs" is not available: enableJobs is false/);
  });

  it("throws ServiceNotEnabledError when this build has no job system", () => {
    const factory = factoryWith([]);
    expect(() => factory.getJobManager()).toThrow(/not available in this build/);
  });
});

describe("ServerFactory.stopService / startService", () => {
  function threeServices(events: EventLog) {
    const webdav = new TcpListenerService("webdav", events, 0);
    const factory = factoryWith([
      definition("redis", "enableRedis", [], () => new FakeService("redis", events)),
      definition("jobs", "enableJobs", ["redis"], () => new FakeService("jobs", events)),
      definition("webdav", "enableWebDAV", [], () => webdav),
      {
        ...definition("ui", "enableUI", [], () => new FakeService("ui", events)),
        startsAfter: ["redis", "jobs", "webdav"],
      },
    ]);
    return { factory, webdav };
  }

  it("stops and starts one service; its port closes and opens again", async () => {
    const events: EventLog = [];
    const { factory, webdav } = threeServices(events);
    await factory.start();
    expect(events.indexOf("start:ui")).toBe(3); // startsAfter orders like dependsOn
    const port = webdav.boundPort ?? -1;
    events.length = 0;
    await factory.stopService("webdav");
    await factory.stopService("webdav"); // not running: nothing to do
    expect(events).toEqual(["stop:webdav"]);
    expect(await canConnect(port)).toBe(false);
    expect(factory.status().find((s) => s.name === "webdav")?.state).toBe("stopped");
    await factory.startService("webdav");
    await factory.startService("webdav");
    expect(events).toEqual(["stop:webdav", "start:webdav"]);
    expect(factory.status().find((s) => s.name === "webdav")?.state).toBe("running");
    events.length = 0;
    await factory.stop();
    expect(events).toEqual(["stop:webdav", "stop:ui", "stop:jobs", "stop:redis"]);
  });

  it("refuses to stop a service a running one depends on, and to start one whose dependency is stopped", async () => {
    const events: EventLog = [];
    const { factory } = threeServices(events);
    await factory.start();
    await expect(factory.stopService("redis")).rejects.toThrow(ServiceDependencyError);
    await expect(factory.stopService("redis")).rejects.toThrow(/cannot stop "redis": jobs depends on it/);
    await factory.stopService("jobs");
    await factory.stopService("redis"); // only startsAfter (the UI) left: allowed
    await expect(factory.startService("jobs")).rejects.toMatchObject({
      code: "HEROAGENT_ERR_SERVICE_DEPENDENCY",
      message: expect.stringContaining("needs redis running"),
    });
    await factory.startService("redis");
    await factory.startService("jobs");
    expect(factory.status().every((s) => s.state === "running")).toBe(true);
    await factory.stop();
  });

  it("refuses unknown services and a factory that is not running", async () => {
    const { factory } = threeServices([]);
    await expect(factory.stopService("webdav")).rejects.toThrow(FactoryStateError);
    await factory.start();
    await expect(factory.stopService("nope")).rejects.toThrow(ServiceNotEnabledError);
    await factory.stop();
    await expect(factory.startService("webdav")).rejects.toThrow(FactoryStateError);
  });

  it("reports a failed start of one service and can start it again", async () => {
    let fail = false;
    const factory = factoryWith([
      definition(
        "webdav",
        "enableWebDAV",
        [],
        () =>
          new FakeService("webdav", [], {
            onStart: () => {
              if (fail) throw new Error("disk gone");
            },
          }),
      ),
    ]);
    await factory.start();
    await factory.stopService("webdav");
    fail = true;
    await expect(factory.startService("webdav")).rejects.toThrow(ServiceStartError);
    expect(factory.status()[0]).toMatchObject({ state: "failed", error: "disk gone" });
    fail = false;
    await factory.startService("webdav");
    expect(factory.status()[0]?.state).toBe("running");
    await factory.stop();
  });
});
