/** OurDB's error catalogue: every error carries a stable code (`OURDB_ERR_…`). */
export type OurDBErrorCode =
  | "OURDB_ERR_NOT_FOUND"
  | "OURDB_ERR_CORRUPT"
  | "OURDB_ERR_INVALID_ARGUMENT"
  | "OURDB_ERR_TOO_LARGE"
  | "OURDB_ERR_FULL"
  | "OURDB_ERR_LOCKED"
  | "OURDB_ERR_CLOSED"
  | "OURDB_ERR_FAILED"
  | "OURDB_ERR_READ_ONLY";

export class OurDBError extends Error {
  override readonly name = "OurDBError";
  constructor(
    readonly code: OurDBErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const notFound = (id: number) => new OurDBError("OURDB_ERR_NOT_FOUND", `record not found: id ${id}`);

export const corrupt = (id: number, detail: string) =>
  new OurDBError("OURDB_ERR_CORRUPT", `${detail}: data corruption detected (id ${id})`);

export const invalid = (message: string) => new OurDBError("OURDB_ERR_INVALID_ARGUMENT", message);
