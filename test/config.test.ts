import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configFields, defaultConfig, loadConfig, validateConfig } from "../src/config.js";
import { ConfigError } from "../src/errors.js";
import { redactSecrets } from "../src/logger.js";

const dir = mkdtempSync(join(tmpdir(), "heroagent-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The ConfigError message thrown by `load`, asserting it is a single line. */
function configErrorOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: "HEROAGENT_ERR_CONFIG" });
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a ConfigError");
}

describe("defaultConfig", () => {
  it("matches the seed's settings", () => {
    expect(defaultConfig()).toEqual({
      logLevel: "info",
      enableRedis: true,
      enableWebDAV: true,
      enableUI: true,
      enableJobs: true,
      redis: {
        tcpPort: 6379,
        unixSocketPath: "/tmp/redis.sock",
        host: "127.0.0.1",
        password: "",
        databases: 16,
        maxBulkLength: 536870912,
        appendonly: false,
        appendfsync: "everysec",
        aofPath: "./data/redis/appendonly.aof",
      },
      jobs: {
        ourdbPath: "./data/jobsdb",
        workerCount: 5,
        queuePollInterval: 100,
        redisUrl: "",
        defaultTimeout: 60,
        maxAttempts: 3,
        leaseTimeout: 30_000,
        enableShell: false,
      },
      webdav: {
        host: "127.0.0.1",
        port: 9999,
        root: "./data/webdav",
        basePath: "",
        users: [],
        allowInfinityDepth: true,
        idleTimeout: 120_000,
        https: { enabled: false, certFile: "", keyFile: "" },
      },
      ui: { host: "127.0.0.1", port: 9001, password: "", readOnly: false, maxUploadSize: 1073741824 },
    });
  });

  it("returns a fresh object each time", () => {
    const config = defaultConfig();
    config.redis.tcpPort = 1;
    expect(defaultConfig().redis.tcpPort).toBe(6379);
  });

  it("is what loadConfig returns with no sources", () => {
    expect(loadConfig()).toEqual(defaultConfig());
  });
});

describe("config names", () => {
  it("derives environment variables and flags from the schema", () => {
    const names = Object.fromEntries(configFields().map((field) => [field.key, [field.envVar, field.flag]]));
    expect(names["redis.tcpPort"]).toEqual(["HEROAGENT_REDIS_TCP_PORT", "--redis-tcp-port"]);
    expect(names.enableRedis).toEqual(["HEROAGENT_ENABLE_REDIS", "--enable-redis"]);
    expect(names.enableWebDAV).toEqual(["HEROAGENT_ENABLE_WEBDAV", "--enable-webdav"]);
    expect(names.enableUI).toEqual(["HEROAGENT_ENABLE_UI", "--enable-ui"]);
    expect(names["jobs.ourdbPath"]).toEqual(["HEROAGENT_JOBS_OURDB_PATH", "--jobs-ourdb-path"]);
    expect(names.logLevel).toEqual(["HEROAGENT_LOG_LEVEL", "--log-level"]);
  });

  it("are all documented in docs/configuration.md", () => {
    const docs = readFileSync(new URL("../docs/configuration.md", import.meta.url), "utf8");
    for (const field of configFields()) {
      const row = docs.split("\n").find((line) => line.startsWith(`| \`${field.key}\``));
      expect(row, `docs row for ${field.key}`).toBeDefined();
      expect(row).toContain(`\`${field.envVar}\``);
      expect(row).toContain(`\`${field.flag}`);
      expect(row).toContain(`\`${JSON.stringify(field.defaultValue)}\``);
    }
  });
});

describe("config file", () => {
  it("reads YAML", () => {
    const file = writeConfig("a.yaml", "logLevel: debug\nenableUI: false\nredis:\n  tcpPort: 6380\n");
    const config = loadConfig({ file });
    expect(config.logLevel).toBe("debug");
    expect(config.enableUI).toBe(false);
    expect(config.redis).toEqual({ ...defaultConfig().redis, tcpPort: 6380 });
  });

  it("reads JSON and .yml", () => {
    const json = writeConfig("a.json", JSON.stringify({ jobs: { workerCount: 2 } }));
    expect(loadConfig({ file: json }).jobs.workerCount).toBe(2);
    const yml = writeConfig("a.yml", "jobs:\n  ourdbPath: /var/lib/jobs\n");
    expect(loadConfig({ file: yml }).jobs.ourdbPath).toBe("/var/lib/jobs");
  });

  it("treats an empty file as no settings", () => {
    expect(loadConfig({ file: writeConfig("empty.yaml", "") })).toEqual(defaultConfig());
  });

  it("names the file when it cannot be read or parsed", () => {
    const missing = join(dir, "missing.yaml");
    expect(configErrorOf(() => loadConfig({ file: missing }))).toMatch(
      new RegExp(`^cannot read config file ${missing}: .*ENOENT`),
    );
    const badYaml = writeConfig("bad.yaml", "redis:\n  tcpPort: [1\n");
    expect(configErrorOf(() => loadConfig({ file: badYaml }))).toMatch(
      /^config file .*bad\.yaml is not valid YAML/,
    );
    const badJson = writeConfig("bad.json", "{ nope");
    expect(configErrorOf(() => loadConfig({ file: badJson }))).toMatch(
      /^config file .*bad\.json is not valid JSON/,
    );
    const list = writeConfig("list.yaml", "- 1\n- 2\n");
    expect(configErrorOf(() => loadConfig({ file: list }))).toMatch(/list\.yaml must contain a mapping/);
    const toml = writeConfig("a.toml", "");
    expect(configErrorOf(() => loadConfig({ file: toml }))).toMatch(/unsupported extension "\.toml"/);
  });

  it("rejects unknown keys and suggests the likely one", () => {
    const file = writeConfig("typo.yaml", "redis:\n  tcpPrt: 1\nenableRedsi: true\n");
    const message = configErrorOf(() => loadConfig({ file }));
    expect(message).toContain(`unknown key "redis.tcpPrt" in ${file} (did you mean "redis.tcpPort"?)`);
    expect(message).toContain(`unknown key "enableRedsi" in ${file} (did you mean "enableRedis"?)`);
  });

  it("does not coerce strings written in a file", () => {
    const file = writeConfig("string-port.yaml", 'redis:\n  tcpPort: "6380"\n');
    expect(configErrorOf(() => loadConfig({ file }))).toBe(
      `invalid config: redis.tcpPort must be an integer from 0 to 65535 (got "6380" from ${file})`,
    );
  });

  it("rejects a section that is not a mapping", () => {
    const file = writeConfig("section.yaml", "redis: 5\n");
    expect(configErrorOf(() => loadConfig({ file }))).toBe(
      `invalid config: redis must be a mapping with keys tcpPort, unixSocketPath, host, password, databases, maxBulkLength, appendonly, appendfsync, aofPath (got 5 from ${file})`,
    );
  });
});

describe("config layering", () => {
  const file = () => writeConfig("layers.yaml", "logLevel: warn\nredis:\n  tcpPort: 7000\n  host: 0.0.0.0\n");

  it("environment overrides the file, leaving the file's other values", () => {
    const config = loadConfig({ file: file(), env: { HEROAGENT_REDIS_TCP_PORT: "7001", PATH: "/bin" } });
    expect(config.redis).toMatchObject({ tcpPort: 7001, host: "0.0.0.0" });
    expect(config.logLevel).toBe("warn");
  });

  it("flags override the environment", () => {
    const config = loadConfig({
      file: file(),
      env: { HEROAGENT_REDIS_TCP_PORT: "7001", HEROAGENT_LOG_LEVEL: "debug" },
      flags: { "redis.tcpPort": "7002", enableJobs: false },
    });
    expect(config.redis.tcpPort).toBe(7002);
    expect(config.logLevel).toBe("debug");
    expect(config.enableJobs).toBe(false);
  });

  it("coerces booleans and numbers from strings", () => {
    for (const [text, value] of [
      ["true", true],
      ["TRUE", true],
      ["1", true],
      ["yes", true],
      ["false", false],
      ["0", false],
      ["No", false],
    ] as const) {
      expect(loadConfig({ env: { HEROAGENT_ENABLE_REDIS: text } }).enableRedis).toBe(value);
    }
    const config = loadConfig({
      env: { HEROAGENT_JOBS_WORKER_COUNT: " 8 " },
      flags: { "jobs.queuePollInterval": "250", enableWebDAV: "no" },
    });
    expect(config.jobs).toMatchObject({ workerCount: 8, queuePollInterval: 250 });
    expect(config.enableWebDAV).toBe(false);
  });
});

describe("webdav users", () => {
  const hash = "scrypt:16384:8:1:c2FsdHNhbHRzYWx0c2FsdA==:aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=";

  it("are read as a JSON list from the environment, with readOnly defaulting to false", () => {
    const users = JSON.stringify([{ username: "ann", passwordHash: hash }]);
    expect(loadConfig({ env: { HEROAGENT_WEBDAV_USERS: users } }).webdav.users).toEqual([
      { username: "ann", passwordHash: hash, readOnly: false },
    ]);
  });

  it("takes only redis:// and rediss:// URLs for the job queues, and never echoes the value", () => {
    for (const url of ["127.0.0.1:6379", "http://:secret@host:6379", "redis://"]) {
      const message = configErrorOf(() => loadConfig({ env: { HEROAGENT_JOBS_REDIS_URL: url } }));
      expect(message).toContain("jobs.redisUrl must be a redis:// or rediss:// URL");
      expect(message).toContain("from HEROAGENT_JOBS_REDIS_URL");
      expect(message).not.toContain("secret");
    }
    const ok = loadConfig({ env: { HEROAGENT_JOBS_REDIS_URL: "rediss://:pw@cache.example:6380/1" } });
    expect(ok.jobs.redisUrl).toBe("rediss://:pw@cache.example:6380/1");
  });

  it("must have scrypt password hashes, not plain passwords", () => {
    const file = writeConfig(
      "plain.yaml",
      "webdav:\n  users:\n    - username: ann\n      passwordHash: hunter2\n",
    );
    const message = configErrorOf(() => loadConfig({ file }));
    expect(message).toContain("webdav.users.0.passwordHash must be a hash");
    expect(message).not.toContain("hunter2");
  });
});

describe("config errors", () => {
  it("name the field, what is allowed, the value and its source", () => {
    expect(configErrorOf(() => loadConfig({ env: { HEROAGENT_REDIS_TCP_PORT: "abc" } }))).toBe(
      'invalid config: redis.tcpPort must be an integer from 0 to 65535 (got "abc" from HEROAGENT_REDIS_TCP_PORT)',
    );
    expect(configErrorOf(() => loadConfig({ flags: { "redis.tcpPort": "65536" } }))).toBe(
      "invalid config: redis.tcpPort must be an integer from 0 to 65535 (got 65536 from --redis-tcp-port)",
    );
    expect(configErrorOf(() => loadConfig({ env: { HEROAGENT_ENABLE_UI: "maybe" } }))).toBe(
      'invalid config: enableUI must be a boolean: true, false, yes, no, 1 or 0 (got "maybe" from HEROAGENT_ENABLE_UI)',
    );
    expect(configErrorOf(() => loadConfig({ flags: { logLevel: "loud" } }))).toMatch(
      /^invalid config: logLevel must be one of "fatal", .*"silent" \(got "loud" from --log-level\)$/,
    );
    expect(configErrorOf(() => loadConfig({ env: { HEROAGENT_JOBS_WORKER_COUNT: "-1" } }))).toBe(
      "invalid config: jobs.workerCount must be an integer >= 0 (got -1 from HEROAGENT_JOBS_WORKER_COUNT)",
    );
    expect(configErrorOf(() => loadConfig({ env: { HEROAGENT_JOBS_OURDB_PATH: "" } }))).toBe(
      'invalid config: jobs.ourdbPath must be a non-empty string (got "" from HEROAGENT_JOBS_OURDB_PATH)',
    );
  });

  it("list several problems on one line", () => {
    const message = configErrorOf(() =>
      loadConfig({ env: { HEROAGENT_REDIS_TCP_PORT: "x" }, flags: { "jobs.workerCount": "y" } }),
    );
    expect(message).toMatch(
      /^invalid config: redis\.tcpPort .*; jobs\.workerCount .*from --jobs-worker-count\)$/,
    );
  });

  it("reject unknown HEROAGENT_ variables but ignore other variables and test tooling", () => {
    expect(configErrorOf(() => loadConfig({ env: { HEROAGENT_REDIS_PORT: "1" } }))).toBe(
      "invalid config: unknown environment variable HEROAGENT_REDIS_PORT (did you mean HEROAGENT_REDIS_TCP_PORT?)",
    );
    expect(configErrorOf(() => loadConfig({ env: { HEROAGENT_NOPE: "1" } }))).toBe(
      "invalid config: unknown environment variable HEROAGENT_NOPE",
    );
    expect(() => loadConfig({ env: { HOME: "/root", HEROAGENT_REQUIRE_TOOLS: "1" } })).not.toThrow();
  });

  it("reject unknown flag keys", () => {
    expect(configErrorOf(() => loadConfig({ flags: { "redis.tcpPrt": "1" } }))).toContain(
      "unknown flag key redis.tcpPrt (did you mean redis.tcpPort?)",
    );
  });

  it("come from validateConfig for config objects built in code", () => {
    const config = { ...defaultConfig(), logLevel: "chatty" };
    expect(configErrorOf(() => validateConfig(config))).toMatch(
      /logLevel must be one of .*from the config object\)$/,
    );
  });
});

describe("redactSecrets", () => {
  it("hides values of keys named password, secret or token at any depth", () => {
    const config = {
      webdav: { user: "admin", password: "hunter2" },
      ui: { sessionSecret: "s", auth: { apiToken: "t", tokens: ["a"] } },
      redis: { tcpPort: 6379 },
    };
    expect(redactSecrets(config)).toEqual({
      webdav: { user: "admin", password: "[redacted]" },
      ui: { sessionSecret: "[redacted]", auth: { apiToken: "[redacted]", tokens: "[redacted]" } },
      redis: { tcpPort: 6379 },
    });
    expect(config.webdav.password).toBe("hunter2");
  });
});
