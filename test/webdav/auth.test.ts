/**
 * Password hashes (scrypt and bcrypt) and the Basic authenticator's cache of verified credentials:
 * it saves the slow verification on repeated requests and never accepts a password it was not
 * given. verifyPassword is wrapped to count how often the slow path runs.
 */
import type { IncomingMessage } from "node:http";
import bcrypt from "bcryptjs";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config.js";
import { BasicAuthenticator } from "../../src/webdav/auth.js";
import { UnauthorizedError, WebDAVConfigError } from "../../src/webdav/errors.js";
import { hashPassword, parsePasswordHash, verifyPassword } from "../../src/webdav/password-hash.js";

vi.mock(import("../../src/webdav/password-hash.js"), async (importOriginal) => {
  const original = await importOriginal();
  return { ...original, verifyPassword: vi.fn(original.verifyPassword) };
});

const verifications = vi.mocked(verifyPassword);
const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };
/** Made with `htpasswd -nbBC 5 ann 'pa ss'`. */
const HTPASSWD_2Y = "$2y$05$yLC.Kfkpr8espfDAcypkcuO5mD4.s1DyHvGrpg2osLe6UVJbQqgM.";

const request = (username: string, password: string) =>
  ({
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` },
  }) as IncomingMessage;

beforeEach(() => {
  verifications.mockClear();
});

describe("password hashes", () => {
  it("verify the right scrypt password only", async () => {
    const hash = await hashPassword("pw", FAST_SCRYPT);
    expect(hash).toMatch(/^scrypt:1024:8:1:/);
    expect(await verifyPassword("pw", parsePasswordHash(hash))).toBe(true);
    expect(await verifyPassword("pW", parsePasswordHash(hash))).toBe(false);
  });

  it("verify bcrypt $2a$, $2b$ and $2y$ hashes", async () => {
    const b = await bcrypt.hash("pw", 4);
    expect(b).toMatch(/^\$2b\$04\$/);
    for (const hash of [b, b.replace("$2b$", "$2a$"), b.replace("$2b$", "$2y$")]) {
      expect(parsePasswordHash(hash)).toEqual({ kind: "bcrypt", text: hash, cost: 4 });
      expect(await verifyPassword("pw", parsePasswordHash(hash))).toBe(true);
      expect(await verifyPassword("pw ", parsePasswordHash(hash))).toBe(false);
    }
    expect(await verifyPassword("pa ss", parsePasswordHash(HTPASSWD_2Y))).toBe(true);
    expect(await verifyPassword("pass", parsePasswordHash(HTPASSWD_2Y))).toBe(false);
  });

  it("refuse malformed hashes with a message naming both formats", () => {
    const malformed = [
      "plain",
      "$2b$10$abc",
      HTPASSWD_2Y.slice(0, -1),
      HTPASSWD_2Y.replace("$2y$", "$2x$"),
      HTPASSWD_2Y.replace("$05$", "$03$"),
      HTPASSWD_2Y.replace("$05$", "$32$"),
      `${HTPASSWD_2Y}x`,
      HTPASSWD_2Y.replace("yLC", "y!C"),
    ];
    for (const text of malformed) {
      expect(() => parsePasswordHash(text), text).toThrow(WebDAVConfigError);
      expect(() => parsePasswordHash(text), text).toThrow(/scrypt:N:r:p:salt:hash.*bcrypt.*htpasswd/);
    }
    expect(() => parsePasswordHash("$2b$10$abc")).toThrow(/bcrypt hash is malformed/);
  });

  it("are checked when the configuration is loaded", () => {
    const users = (passwordHash: string) => ({
      HEROAGENT_WEBDAV_USERS: JSON.stringify([{ username: "ann", passwordHash }]),
    });
    expect(loadConfig({ env: users(HTPASSWD_2Y) }).webdav.users[0]?.passwordHash).toBe(HTPASSWD_2Y);
    const truncated = HTPASSWD_2Y.slice(0, 40);
    let message = "";
    try {
      loadConfig({ env: users(truncated) });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("webdav.users.0.passwordHash must be a hash");
    expect(message).toContain('bcrypt "$2a$", "$2b$" or "$2y$"');
    expect(message).toContain("htpasswd -nbBC 10 user pass");
  });
});

describe("BasicAuthenticator", () => {
  it("logs a bcrypt user in and refuses a wrong password", async () => {
    const auth = new BasicAuthenticator([{ username: "ann", passwordHash: HTPASSWD_2Y }]);
    expect(await auth.authenticate(request("ann", "pa ss"))).toEqual({ username: "ann", readOnly: false });
    await expect(auth.authenticate(request("ann", "pa  ss"))).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(auth.authenticate(request("bob", "pa ss"))).rejects.toBeInstanceOf(UnauthorizedError);
  });

  for (const kind of ["scrypt", "bcrypt"] as const) {
    describe(`with a ${kind} hash`, () => {
      let now = 1_000_000;
      const make = async () => {
        const passwordHash =
          kind === "scrypt" ? await hashPassword("s3cret", FAST_SCRYPT) : await bcrypt.hash("s3cret", 4);
        return new BasicAuthenticator([{ username: "ann", passwordHash }], { now: () => now });
      };

      it("verifies once, then answers from the cache until it expires", async () => {
        const auth = await make();
        for (let i = 0; i < 5; i++) await auth.authenticate(request("ann", "s3cret"));
        expect(verifications).toHaveBeenCalledTimes(1);
        now += 59_000;
        await auth.authenticate(request("ann", "s3cret"));
        expect(verifications).toHaveBeenCalledTimes(1);
        now += 2_000;
        await auth.authenticate(request("ann", "s3cret"));
        expect(verifications).toHaveBeenCalledTimes(2);
      });

      it("never accepts a wrong password because a right one was cached", async () => {
        const auth = await make();
        await auth.authenticate(request("ann", "s3cret"));
        for (const wrong of ["s3cret!", "s3cre", "S3cret", "", " s3cret", "ann:s3cret"]) {
          await expect(auth.authenticate(request("ann", wrong)), wrong).rejects.toBeInstanceOf(
            UnauthorizedError,
          );
        }
        // Each wrong password ran the real verification; failures are not remembered either.
        expect(verifications).toHaveBeenCalledTimes(7);
        await expect(auth.authenticate(request("ann", "s3cret!"))).rejects.toBeInstanceOf(UnauthorizedError);
        expect(verifications).toHaveBeenCalledTimes(8);
        expect(await auth.authenticate(request("ann", "s3cret"))).toMatchObject({ username: "ann" });
        expect(verifications).toHaveBeenCalledTimes(8);
      });

      it("refuses control characters, which scrypt would ignore at the end of a password", async () => {
        const auth = await make();
        await auth.authenticate(request("ann", "s3cret"));
        for (const wrong of ["s3cret\0", "s3cret\0\0", "s3cret\n", "s3\u007fcret"]) {
          await expect(auth.authenticate(request("ann", wrong)), wrong).rejects.toBeInstanceOf(
            UnauthorizedError,
          );
        }
        await expect(auth.authenticate(request("ann\0", "s3cret"))).rejects.toBeInstanceOf(UnauthorizedError);
      });

      it("shares one verification among concurrent requests", async () => {
        const auth = await make();
        const results = await Promise.all(
          Array.from({ length: 8 }, () => auth.authenticate(request("ann", "s3cret"))),
        );
        expect(results.every((principal) => principal.username === "ann")).toBe(true);
        expect(verifications).toHaveBeenCalledTimes(1);
        const wrong = await Promise.allSettled([
          auth.authenticate(request("ann", "nope")),
          auth.authenticate(request("ann", "nope")),
        ]);
        expect(wrong.map((result) => result.status)).toEqual(["rejected", "rejected"]);
      });
    });
  }

  it("remembers nothing with a TTL of 0", async () => {
    const passwordHash = await bcrypt.hash("s3cret", 4);
    const auth = new BasicAuthenticator([{ username: "ann", passwordHash }], { cacheTtlMs: 0 });
    await auth.authenticate(request("ann", "s3cret"));
    await auth.authenticate(request("ann", "s3cret"));
    expect(verifications).toHaveBeenCalledTimes(2);
  });
});
