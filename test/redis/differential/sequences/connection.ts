/**
 * Connection and basic server commands: PING ECHO SELECT SWAPDB DBSIZE FLUSHDB FLUSHALL HELLO AUTH
 * RESET QUIT, and what the dispatcher answers itself: unknown commands and subcommands, arity errors,
 * command names in any case. HELLO's client id differs between servers and is masked by the runner.
 */
import { seq } from "../seq.js";
import type { Sequence } from "../sequence.js";

const ping: Sequence[] = [
  seq("ping", ["PING", "PING hello", 'PING ""', "PING a b", "ping", "PiNg x"]),
  seq("ping in RESP3", ["PING", "PING hello"], { resp: 3 }),
  seq("echo", ["ECHO hello", 'ECHO ""', 'ECHO "a b"', "ECHO", "ECHO a b", ["ECHO", "\x00\xff\r\n"]]),
  seq("echo in RESP3", ["ECHO hello"], { resp: 3 }),
];

const databases: Sequence[] = [
  seq("select", [
    "SET k 0",
    "SELECT 1",
    "GET k",
    "SET k 1",
    "SELECT 0",
    "GET k",
    "SELECT 15",
    "GET k",
    "DBSIZE",
  ]),
  seq("select errors", [
    "SELECT 16",
    "SELECT -1",
    "SELECT abc",
    "SELECT 1.5",
    'SELECT ""',
    "SELECT",
    "SELECT 1 2",
    "SELECT 01",
  ]),
  seq("swapdb", [
    "SET a 0",
    "SELECT 1",
    "SET b 1",
    "SWAPDB 0 1",
    "GET a",
    "GET b",
    "SELECT 0",
    "GET a",
    "GET b",
    "SWAPDB 1 1",
    "DBSIZE",
  ]),
  seq("swapdb errors", [
    "SWAPDB 0 16",
    "SWAPDB 16 0",
    "SWAPDB a 1",
    "SWAPDB 0 b",
    "SWAPDB -1 0",
    "SWAPDB 0 -1",
    "SWAPDB 0",
    "SWAPDB",
  ]),
  seq("swapdb keeps TTLs", ["SET a 1 EXAT 4102444800", "SWAPDB 0 2", "EXISTS a", "SELECT 2", "EXPIRETIME a"]),
  seq("dbsize per database", ["MSET a 1 b 2", "SELECT 3", "SET c 3", "DBSIZE", "SELECT 0", "DBSIZE"]),
  seq("flushdb", ["MSET a 1 b 2", "SELECT 1", "SET c 3", "FLUSHDB", "DBSIZE", "SELECT 0", "DBSIZE"]),
  seq("flushdb options", [
    "SET a 1",
    "FLUSHDB ASYNC",
    "DBSIZE",
    "SET a 1",
    "FLUSHDB sync",
    "DBSIZE",
    "FLUSHDB FOO",
    "FLUSHDB ASYNC SYNC",
  ]),
  seq("flushall", ["SET a 1", "SELECT 5", "SET b 2", "FLUSHALL", "DBSIZE", "SELECT 0", "DBSIZE"]),
  seq("flushall options", [
    "SET a 1",
    "FLUSHALL ASYNC",
    "DBSIZE",
    "FLUSHALL SYNC",
    "FLUSHALL FOO",
    "FLUSHALL SYNC ASYNC",
  ]),
];

const hello: Sequence[] = [
  seq("hello without a version", ["HELLO"]),
  seq("hello 3 then commands", ["HELLO 3", "SET k v", "GET k", "GET missing", "MGET k missing", "HELLO"]),
  seq("hello 2 after 3", ["HELLO 3", "HELLO 2", "GET missing"]),
  seq("hello errors", [
    "HELLO 4",
    "HELLO 1",
    "HELLO abc",
    "HELLO 3.0",
    "HELLO -3",
    'HELLO ""',
    "HELLO 3 FOO",
    "HELLO 3 AUTH",
    "HELLO 3 AUTH default",
    "HELLO 3 SETNAME",
    "GET missing",
  ]),
  seq("hello SETNAME", [
    "HELLO 3 SETNAME myname",
    "CLIENT GETNAME",
    "HELLO 2 SETNAME",
    'HELLO 2 SETNAME "a b"',
    "CLIENT GETNAME",
  ]),
  seq("hello AUTH without a password configured", [
    "HELLO 3 AUTH default anything",
    "HELLO 2 AUTH bob secret",
    "GET missing",
  ]),
  seq("hello in RESP3", ["HELLO 2", "HELLO 3"], { resp: 3 }),
];

const auth: Sequence[] = [
  seq("auth without a password configured", [
    "AUTH secret",
    "AUTH default secret",
    "AUTH bob secret",
    "AUTH a b c",
    "AUTH",
    "PING",
  ]),
  seq("auth in RESP3", ["AUTH secret", "AUTH bob secret"], { resp: 3 }),
];

const dispatcher: Sequence[] = [
  seq("unknown commands", [
    "FOO",
    "FOO a b",
    'FOO ""',
    "foo bar",
    ["\x00bad", "\xff"],
    ["FOO", "a\x00b", "c"],
  ]),
  seq("unknown command with CR and LF", [
    ["FOO", "a\r\nb"],
    ["FOO\r\n", "\n\n"],
    ["OBJECT", "x\ry"],
  ]),
  seq("unknown command with long arguments", [
    ["NOPE", "x".repeat(200)],
    ["NOPE", ...Array.from({ length: 30 }, (_, i) => `arg${i}`)],
  ]),
  seq("empty command name", ['""', '"" a']),
  seq("unknown subcommands", ["OBJECT FOO", "OBJECT foo bar", "CLIENT NOPE", "CONFIG NOPE x"]),
  seq("arity errors", [
    "GET",
    "GET a b",
    "SET a",
    "DEL",
    "EXPIRE a",
    "TTL",
    "ECHO",
    "INCR",
    "MGET",
    "DBSIZE x",
    "RANDOMKEY x",
  ]),
  seq("command names in any case", ["set K v", "GeT K", "gEt K", "EXISTS K", "exists k"]),
  seq("unknown command in RESP3", ["FOO bar", "GET"], { resp: 3 }),
  seq("container arity errors", ["OBJECT", "OBJECT ENCODING", "OBJECT ENCODING a b"]),
];

const session: Sequence[] = [
  seq("quit", ["SET k v", "QUIT", "GET k"]),
  seq("quit with arguments", ["QUIT now"]),
  seq("reset", ["SELECT 2", "SET k v", "RESET", "GET k", "DBSIZE"]),
  seq("reset leaves RESP3", ["HELLO 3", "RESET", "GET missing"]),
  seq("reset arity", ["RESET x"]),
  seq("time arity", ["TIME x"]),
];

export const sequences: Sequence[] = [...ping, ...databases, ...hello, ...auth, ...dispatcher, ...session];
