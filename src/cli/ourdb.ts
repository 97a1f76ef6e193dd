import { Command, InvalidArgumentError, Option } from "commander";
import { OurDB, type OurDBOptions } from "../ourdb/index.js";

export interface Output {
  write(chunk: string | Uint8Array): unknown;
}

interface StoreFlags {
  recordNrMax?: number;
  recordSizeMax?: number;
}

const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a non-negative integer");
  return n;
};

/** The settings that decide the keysize must match the ones the database was written with. */
const storeOptions = () => [
  new Option("--record-nr-max <n>", "recordNrMax the database was created with").argParser(integer),
  new Option("--record-size-max <n>", "recordSizeMax the database was created with").argParser(integer),
];

function openOptions(path: string, flags: StoreFlags, readOnly: boolean): OurDBOptions {
  return { path, readOnly, recordNrMax: flags.recordNrMax, recordSizeMax: flags.recordSizeMax };
}

async function withDb<T>(options: OurDBOptions, use: (db: OurDB) => Promise<T>): Promise<T> {
  const db = await OurDB.open(options);
  try {
    return await use(db);
  } finally {
    await db.close();
  }
}

/** `heroagent ourdb …`: inspect and maintain an OurDB folder. Reading commands work beside a running server. */
export function ourdbCommand(out: Output = process.stdout): Command {
  const ourdb = new Command("ourdb").description("inspect and maintain an OurDB database");
  const sub = (name: string, description: string) => {
    const command = ourdb.command(name).description(description);
    for (const option of storeOptions()) command.addOption(option);
    return command;
  };

  sub("info", "show the settings, files and counts of a database")
    .argument("<path>", "database folder")
    .option("--json", "print JSON")
    .action(async (path: string, flags: StoreFlags & { json?: boolean }) => {
      const stats = await withDb(openOptions(path, flags, true), async (db) => db.stats());
      if (flags.json) return void out.write(`${JSON.stringify(stats, null, 2)}\n`);
      const { files, warnings, ...rest } = stats;
      for (const [key, value] of Object.entries(rest)) out.write(`${key}: ${value ?? "-"}\n`);
      for (const { file, size } of files) out.write(`file ${file}.db: ${size} bytes\n`);
      for (const warning of warnings) out.write(`warning: ${warning}\n`);
    });

  sub("get", "print the newest version of a record (raw bytes)")
    .argument("<path>", "database folder")
    .argument("<id>", "record id", integer)
    .action(async (path: string, id: number, flags: StoreFlags) => {
      out.write(await withDb(openOptions(path, flags, true), (db) => db.get(id)));
    });

  sub("history", "print the versions of a record, newest first")
    .argument("<path>", "database folder")
    .argument("<id>", "record id", integer)
    .argument("[depth]", "at most this many versions", integer)
    .option("--json", "print a JSON array of the versions as UTF-8 strings")
    .action(
      async (path: string, id: number, depth: number | undefined, flags: StoreFlags & { json?: boolean }) => {
        const versions = await withDb(openOptions(path, flags, true), (db) => db.getHistory(id, depth));
        const texts = versions.map((v) => Buffer.from(v).toString("utf8"));
        if (flags.json) return void out.write(`${JSON.stringify(texts)}\n`);
        for (const [n, text] of texts.entries()) {
          out.write(`--- version ${versions.length - n} of ${versions.length}\n${text}\n`);
        }
      },
    );

  sub("verify", "check the CRC and history link of every reachable record; exit 1 on damage")
    .argument("<path>", "database folder")
    .action(async (path: string, flags: StoreFlags) => {
      const report = await withDb(openOptions(path, flags, true), (db) => db.verify());
      for (const { id, error } of report.damaged) out.write(`damaged: id ${id}: ${error}\n`);
      out.write(`${report.ids} ids, ${report.records} records checked, ${report.damaged.length} damaged\n`);
      if (report.damaged.length > 0) process.exitCode = 1;
    });

  sub("condense", "rewrite the live records into fresh files, reclaiming deleted and old versions")
    .argument("<path>", "database folder")
    .option("--keep-history <n>", "older versions to keep per record (default: all)", integer)
    .action(async (path: string, flags: StoreFlags & { keepHistory?: number }) => {
      const options = openOptions(path, flags, false);
      const bytes = (db: OurDB) => db.stats().files.reduce((sum, f) => sum + f.size, 0);
      const [before, after] = await withDb(options, async (db) => {
        const before = bytes(db);
        await db.condense({ keepHistory: flags.keepHistory });
        return [before, bytes(db)];
      });
      out.write(`condensed ${path}: ${before} → ${after} bytes of data files\n`);
    });

  return ourdb;
}
