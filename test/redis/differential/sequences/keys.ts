/**
 * Generic key commands: DEL UNLINK EXISTS TOUCH TYPE KEYS (Redis glob patterns) SCAN (MATCH COUNT
 * TYPE) RENAME RENAMENX the EXPIRE family (NX XX GT LT) TTL PTTL EXPIRETIME PEXPIRETIME PERSIST COPY
 * MOVE OBJECT RANDOMKEY DBSIZE. Lists (RPUSH) stand in for "another type".
 */
import { seq } from "../seq.js";
import type { Sequence } from "../sequence.js";

const FUTURE_S = "4102444800";
const FUTURE_MS = "4102444800123";

const presence: Sequence[] = [
  seq("del", ["MSET a 1 b 2 c 3", "DEL a", "DEL a", "DEL b c d", "EXISTS a b c", "DEL"]),
  seq("del the same key twice", ["SET a 1", "DEL a a", "SET b 1", "UNLINK b b b"]),
  seq("unlink", ["MSET a 1 b 2", "RPUSH l x", "UNLINK a l missing", "EXISTS a b l", "UNLINK"]),
  seq("exists counts repeats", ["SET a 1", "EXISTS a a a", "EXISTS a missing a", "EXISTS missing", "EXISTS"]),
  seq("touch", ["MSET a 1 b 2", "TOUCH a b c", "TOUCH missing", "TOUCH a a", "TOUCH"]),
  seq("type of each kind", ["SET s v", "RPUSH l a", "TYPE s", "TYPE l", "TYPE missing", "TYPE", "TYPE a b"]),
  seq("type of an int string", ["SET n 10", "TYPE n", "INCR n", "TYPE n"]),
  seq("dbsize", ["DBSIZE", "MSET a 1 b 2 c 3", "DBSIZE", "DEL a", "DBSIZE", "DBSIZE x"]),
  seq("binary key names", [
    ["SET", "\x00\xff", "v"],
    ["EXISTS", "\x00\xff"],
    ["TYPE", "\x00\xff"],
    ["RENAME", "\x00\xff", "\r\n"],
    ["GET", "\r\n"],
    ["DEL", "\r\n"],
  ]),
  seq("empty key name", ['SET "" v', 'GET ""', 'EXISTS ""', "KEYS *", 'DEL ""', "DBSIZE"]),
];

/** A small keyspace for KEYS and SCAN patterns. */
const GLOB_KEYS = [
  "MSET hello 1 hallo 2 hxllo 3 hllo 4 heeeello 5 hbllo 6 h*llo 7 h?llo 8 hcllo 9",
  ["MSET", "h[llo", "10", "h\\llo", "11", "h]llo", "12", "H-llo", "13", "h^llo", "14", "-", "15", "a", "16"],
];

const glob = (name: string, patterns: string[]): Sequence =>
  seq(`keys ${name}`, [...GLOB_KEYS, ...patterns.map((pattern) => ["KEYS", pattern])], {
    unordered: patterns.map((_, i) => GLOB_KEYS.length + i),
  });

const keysPatterns: Sequence[] = [
  glob("star", ["*", "h*", "*llo", "h*llo", "**", "h**o", "*e*", "x*"]),
  glob("question mark", ["h?llo", "?", "h??llo", "?????", "h?l*"]),
  glob("classes", ["h[ae]llo", "h[a-c]llo", "h[c-a]llo", "h[ae-]llo", "h[-]llo", "[a-z]", "h[]llo"]),
  glob("negated classes", ["h[^e]llo", "h[^a-c]llo", "h[^]llo", "h[^-]llo", "[^a]"]),
  glob("escapes", ["h\\*llo", "h\\?llo", "h\\[llo", "h\\\\llo", "h\\ello", "h[\\]]llo", "h[\\^]llo"]),
  glob("unclosed brackets", ["h[llo", "h[", "[", "h[ae", "h[^", "*[", "h[a-"]),
  glob("trailing backslash", ["h\\", "\\", "a\\", "*\\"]),
  glob("case sensitivity", ["HELLO", "H*", "h-llo", "[H]-llo", "[A-Z]-llo"]),
  glob("exact names", ["hello", "a", "-", "h]llo", "nothing"]),
  seq(
    "keys with expired and binary keys",
    [
      "SET a 1",
      "SET b 2 PXAT 1",
      ["SET", "c\x00\xff", "3"],
      "KEYS *",
      ["KEYS", "c\x00*"],
      ["KEYS", "c?\xff"],
    ],
    { unordered: [3, 4, 5] },
  ),
  seq("keys errors", ["KEYS", "KEYS a b", "KEYS *"]),
  seq("keys in RESP3", ["MSET a 1 b 2", "KEYS *", "KEYS z*"], { resp: 3, unordered: [1] }),
];

const SCAN_KEYS = ["MSET s1 1 s2 2 s3 3 user:1 a user:2 b user:10 c", "RPUSH l1 a", "RPUSH l2 b"];

const scanSequence = (name: string, commands: string[], extraUnordered: number[] = []): Sequence =>
  seq(`scan ${name}`, [...SCAN_KEYS, ...commands], {
    unordered: [...commands.map((_, i) => SCAN_KEYS.length + i), ...extraUnordered],
  });

const scan: Sequence[] = [
  scanSequence("everything in one call", ["SCAN 0 COUNT 1000", "SCAN 0 COUNT 100000"]),
  scanSequence("MATCH", [
    "SCAN 0 MATCH user:* COUNT 1000",
    "SCAN 0 MATCH s? COUNT 1000",
    "SCAN 0 MATCH nothing* COUNT 1000",
    "SCAN 0 MATCH * COUNT 1000",
  ]),
  scanSequence("TYPE", [
    "SCAN 0 TYPE string COUNT 1000",
    "SCAN 0 TYPE list COUNT 1000",
    "SCAN 0 TYPE LIST COUNT 1000",
    "SCAN 0 TYPE hash COUNT 1000",
  ]),
  scanSequence("MATCH and TYPE together", [
    "SCAN 0 MATCH *1 TYPE list COUNT 1000",
    "SCAN 0 TYPE string MATCH user:1* COUNT 1000",
    "SCAN 0 COUNT 1000 MATCH l* TYPE string",
  ]),
  scanSequence("repeated options", ["SCAN 0 COUNT 1 COUNT 1000", "SCAN 0 MATCH x* MATCH s* COUNT 1000"]),
  scanSequence("default count on a small keyspace", ["SCAN 0"]),
  scanSequence("cursor 0 written as strtoul reads it", [
    'SCAN "" COUNT 1000',
    "SCAN +0 COUNT 1000",
    "SCAN 00 COUNT 1000",
  ]),
  seq("scan an empty database", ["SCAN 0", "SCAN 0 MATCH * COUNT 5", "SCAN 0 TYPE string"]),
  seq("scan errors", [
    "SCAN",
    "SCAN abc",
    "SCAN 1.5",
    "SCAN 0 COUNT 0",
    "SCAN 0 COUNT -1",
    "SCAN 0 COUNT x",
    "SCAN 0 COUNT",
    "SCAN 0 MATCH",
    "SCAN 0 TYPE",
    "SCAN 0 FOO bar",
    "SCAN 0 COUNT 10 FOO",
  ]),
  seq("scan skips expired keys", ["SET a 1", "SET b 1 PXAT 1", "SCAN 0 COUNT 100", "DBSIZE"], {
    unordered: [2],
  }),
  seq("scan in RESP3", ["MSET a 1 b 2", "SCAN 0 COUNT 100"], { resp: 3, unordered: [1] }),
];

const rename: Sequence[] = [
  seq("rename", ["SET a 1", "RENAME a b", "GET a", "GET b", "EXISTS a"]),
  seq("rename a missing key", ["RENAME missing b", "RENAMENX missing b", "EXISTS b"]),
  seq("rename onto itself", ["SET a 1", "RENAME a a", "GET a", "RENAMENX a a", "RENAME missing missing"]),
  seq("rename overwrites another type", [
    "SET a 1",
    "RPUSH l x",
    "RENAME a l",
    "TYPE l",
    "GET l",
    "RENAME l a",
    "TYPE a",
  ]),
  seq("rename carries the TTL", [
    `SET a 1 EXAT ${FUTURE_S}`,
    "SET b 2",
    "RENAME a b",
    "EXPIRETIME b",
    "SET c 3",
    "RENAME c b",
    "TTL b",
  ]),
  seq("renamenx", ["MSET a 1 b 2", "RENAMENX a b", "GET b", "RENAMENX a c", "GET c", "EXISTS a"]),
  seq("rename a list", ["RPUSH l a b", "RENAME l m", "TYPE m", "EXISTS l"]),
  seq("rename arity", ["RENAME a", "RENAME a b c", "RENAMENX a", "RENAMENX"]),
];

const expire: Sequence[] = [
  seq("expire and ttl", [
    "SET k v",
    "EXPIRE k 100",
    "TTL k",
    "EXPIRE missing 100",
    "TTL missing",
    "PTTL missing",
    "PERSIST k",
    "TTL k",
    "PTTL k",
  ]),
  seq("pexpire", ["SET k v", "PEXPIRE k 100000", "TTL k", "PEXPIRE missing 10"]),
  seq("expireat and expiretime", [
    "SET k v",
    `EXPIREAT k ${FUTURE_S}`,
    "EXPIRETIME k",
    "PEXPIRETIME k",
    `PEXPIREAT k ${FUTURE_MS}`,
    "PEXPIRETIME k",
    "EXPIRETIME k",
    "EXPIRETIME missing",
    "PEXPIRETIME missing",
    "SET p v",
    "EXPIRETIME p",
    "PEXPIRETIME p",
  ]),
  seq("expire in the past deletes", [
    "MSET a 1 b 2 c 3 d 4",
    "EXPIRE a -1",
    "EXISTS a",
    "PEXPIRE b 0",
    "EXISTS b",
    "EXPIREAT c 1",
    "EXISTS c",
    "PEXPIREAT d 0",
    "EXISTS d",
    "EXPIRE missing -1",
  ]),
  seq("expire NX", ["SET k v", "EXPIRE k 100 NX", "EXPIRE k 200 NX", "TTL k"]),
  seq("expire XX", ["SET k v", "EXPIRE k 100 XX", "TTL k", "EXPIRE k 100", "EXPIRE k 200 XX", "TTL k"]),
  seq("expire GT", [
    "SET k v",
    "EXPIRE k 100 GT",
    "TTL k",
    "EXPIRE k 100",
    "EXPIRE k 50 GT",
    "EXPIRE k 200 GT",
    "TTL k",
    "EXPIRE k 150 GT",
  ]),
  seq("expire LT", [
    "SET k v",
    "EXPIRE k 100 LT",
    "TTL k",
    "EXPIRE k 200 LT",
    "EXPIRE k 100 LT",
    "EXPIRE k 50 LT",
    "TTL k",
  ]),
  seq("expire GT and LT with a past time", [
    "SET k v",
    "EXPIRE k -1 GT",
    "EXISTS k",
    "EXPIRE k -1 LT",
    "EXISTS k",
  ]),
  seq("expire XX GT together", [
    "SET k v",
    "EXPIRE k 100 XX GT",
    "EXPIRE k 100",
    "EXPIRE k 200 XX GT",
    "TTL k",
    "EXPIRE k 50 GT XX",
    "TTL k",
  ]),
  seq("expire flag conflicts", [
    "SET k v",
    "EXPIRE k 100 NX XX",
    "EXPIRE k 100 NX GT",
    "EXPIRE k 100 NX LT",
    "EXPIRE k 100 GT LT",
    "EXPIRE k 100 LT GT",
    "EXPIRE k 100 FOO",
    "EXPIRE k 100 nx nx",
    "TTL k",
  ]),
  seq("expire flags on a missing key", [
    "EXPIRE missing 100 NX",
    "EXPIRE missing 100 FOO",
    "EXPIRE missing 100 NX XX",
  ]),
  seq("pexpire and expireat with flags", [
    "SET k v",
    "PEXPIRE k 100000 NX",
    "PEXPIRE k 200000 LT",
    `EXPIREAT k ${FUTURE_S} GT`,
    "EXPIRETIME k",
    `PEXPIREAT k ${FUTURE_MS} LT`,
    "EXPIRETIME k",
    `PEXPIREAT k ${FUTURE_MS}9 XX GT`,
    "EXPIRETIME k",
  ]),
  seq("expire with bad times", [
    "SET k v",
    "EXPIRE k abc",
    "EXPIRE k 1.5",
    'EXPIRE k ""',
    "EXPIRE k 9223372036854775807",
    "EXPIRE k 9223372036854775",
    "PEXPIRE k 9223372036854775807",
    "EXPIREAT k 9223372036854775807",
    "EXPIRE k -9223372036854775808",
    "EXPIRE k 9223372036854775808",
    "TTL k",
  ]),
  seq("expire with huge absolute times", [
    "SET k v",
    "PEXPIREAT k 9223372036854775807",
    "EXISTS k",
    "EXPIREAT k 92233720368547758",
    "EXISTS k",
  ]),
  seq("expire arity", [
    "EXPIRE k",
    "PEXPIRE",
    "EXPIREAT k",
    "PEXPIREAT",
    "TTL",
    "PTTL a b",
    "PERSIST",
    "EXPIRETIME",
    "PEXPIRETIME a b",
  ]),
  seq("persist", ["SET k v EX 100", "PERSIST k", "PERSIST k", "TTL k", "PERSIST missing"]),
  seq("expire on a list", [
    "RPUSH l a",
    "EXPIRE l 100",
    "TTL l",
    "PERSIST l",
    "TTL l",
    "EXPIRE l -1",
    "EXISTS l",
  ]),
  seq("set drops the TTL, others keep it", [
    "SET k 1 EX 100",
    "INCR k",
    "TTL k",
    "APPEND k 0",
    "TTL k",
    "SET k v",
    "TTL k",
    "SET k v EX 100",
    "GETSET k w",
    "TTL k",
  ]),
  seq("expire in RESP3", ["SET k v", "EXPIRE k 100", "TTL k", "EXPIRETIME missing"], { resp: 3 }),
];

const copy: Sequence[] = [
  seq("copy", ["SET a 1", "COPY a b", "GET b", "COPY a b", "COPY missing c", "EXISTS c"]),
  seq("copy REPLACE", [
    "MSET a 1 b 2",
    "COPY a b REPLACE",
    "GET b",
    "COPY a b replace",
    "RPUSH l x",
    "COPY a l REPLACE",
    "TYPE l",
  ]),
  seq("copy to another database", [
    "SET a 1",
    "COPY a a DB 1",
    "COPY a a DB 1",
    "COPY a a DB 1 REPLACE",
    "SELECT 1",
    "GET a",
    "SELECT 0",
    "COPY a b DB 0",
    "GET b",
  ]),
  seq("copy errors", [
    "SET a 1",
    "COPY a a",
    "COPY a a DB 0",
    "COPY a b DB 16",
    "COPY a b DB -1",
    "COPY a b DB abc",
    "COPY a b DB",
    "COPY a b FOO",
    "COPY a b REPLACE FOO",
    "COPY a",
  ]),
  seq("copy carries the TTL", [
    `SET a 1 EXAT ${FUTURE_S}`,
    "COPY a b",
    "EXPIRETIME b",
    "SET c 1",
    "COPY c a REPLACE",
    "TTL a",
  ]),
  seq("copy a list is deep", ["RPUSH l a b", "COPY l m", "RPUSH l c", "LRANGE m 0 -1", "LRANGE l 0 -1"]),
];

const move: Sequence[] = [
  seq("move", ["SET a 1", "MOVE a 1", "EXISTS a", "SELECT 1", "GET a", "MOVE a 0", "SELECT 0", "GET a"]),
  seq("move onto an existing key", [
    "SET a 1",
    "SELECT 1",
    "SET a 2",
    "SELECT 0",
    "MOVE a 1",
    "GET a",
    "SELECT 1",
    "GET a",
  ]),
  seq("move errors", [
    "SET a 1",
    "MOVE a 0",
    "MOVE a 16",
    "MOVE a -1",
    "MOVE a x",
    "MOVE missing 1",
    "MOVE a",
    "EXISTS a",
  ]),
  seq("move carries the TTL", [`SET a 1 EXAT ${FUTURE_S}`, "MOVE a 2", "SELECT 2", "EXPIRETIME a"]),
];

const object: Sequence[] = [
  seq("object encoding", [
    "SET n 1",
    "OBJECT ENCODING n",
    "OBJECT ENCODING missing",
    "OBJECT encoding n",
    "OBJECT ENCODING",
    "OBJECT ENCODING a b",
  ]),
  seq("object refcount and idletime", [
    "SET s hello",
    "OBJECT REFCOUNT s",
    "OBJECT REFCOUNT missing",
    "OBJECT IDLETIME s",
    "OBJECT IDLETIME missing",
  ]),
  seq("object freq without an LFU policy", ["SET s hello", "OBJECT FREQ s", "OBJECT FREQ missing"]),
  seq("object help and errors", [
    "OBJECT HELP",
    "OBJECT help",
    "OBJECT FOO",
    "OBJECT FOO bar",
    "OBJECT",
    "OBJECT HELP x",
  ]),
  seq("object encoding of a list", ["RPUSH l a b c", "OBJECT ENCODING l"]),
];

const random: Sequence[] = [
  seq("randomkey", ["RANDOMKEY", "SET only v", "RANDOMKEY", "RANDOMKEY x", "DEL only", "RANDOMKEY"]),
  seq("randomkey skips expired keys", ["SET a 1 PXAT 1", "SET b 2", "RANDOMKEY", "RANDOMKEY"]),
  seq("randomkey in RESP3", ["RANDOMKEY", "SET only v", "RANDOMKEY"], { resp: 3 }),
];

export const sequences: Sequence[] = [
  ...presence,
  ...keysPatterns,
  ...scan,
  ...rename,
  ...expire,
  ...copy,
  ...move,
  ...object,
  ...random,
];
