export { OurDBError, type OurDBErrorCode } from "./errors.js";
export { keysizeFor, type OurDBOptions, type SyncMode } from "./options.js";
export { OurDB, type OurDBStats, type VerifyReport } from "./ourdb.js";
