/**
 * @module
 * An error that fails the whole job rather than delaying one replica: a launch that
 * rejects with it is not retried (the emulated operator fails the job with its reason
 * and message, see `emulated/emulated-job.ts`). A repository that cannot be cloned is one.
 */

/** Fails the job with a `Failed` condition of this reason and message. */
export class JobFailure extends Error {
  override name = 'JobFailure'

  constructor(
    /** The condition's reason, e.g. `CodeSyncFailed`. */
    readonly reason: string,
    message: string,
  ) {
    super(message)
  }
}
