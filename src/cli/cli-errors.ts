/**
 * @module
 * What a client command fails with. `run.ts` prints each as one line on stderr and
 * exits with its code: 2 for bad usage (with a hint), 1 for everything else.
 */

/** Bad flags or arguments: exit 2, with a hint naming the command's `--help`. */
export class UsageError extends Error {
  override name = 'UsageError'
  constructor(
    message: string,
    /** The command whose `--help` the hint names (e.g. `logs`, `env create`), or none for the top level. */
    readonly command?: string,
  ) {
    super(message)
  }
}

/** A failure the user should read: exit 1. */
export class CliError extends Error {
  override name = 'CliError'
}

/** The API answered with an error envelope (or an error status without one). */
export class ApiError extends CliError {
  override name = 'ApiError'
  constructor(
    message: string,
    readonly httpStatus: number,
    readonly reason: string | undefined,
  ) {
    super(message)
  }
}
