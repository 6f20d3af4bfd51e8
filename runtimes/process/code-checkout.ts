/**
 * @module
 * Code sync of one process-runtime job: the repository is cloned once per job (`jobClone`),
 * and each replica gets a copy in its `code/current/`, whole or absent.
 */
import { existsSync } from 'node:fs'
import { cp, mkdir, rename, rm } from 'node:fs/promises'
import type { CodeSync } from '../../src/runtime/job.ts'
import { gitClone } from '../common/git-clone.ts'
import { jobClone, replicaCode } from './backend-spec.ts'

/** The checkouts of one job's replicas, from one clone. */
export class CodeCheckout {
  #clone: Promise<void> | null = null

  constructor(
    private readonly jobDir: string,
    private readonly code: CodeSync,
    private readonly env: Record<string, string>,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * Puts the repository in the replica's `code/current/` (under its working directory `cwd`)
   * unless it is there (a restart, or a replica that ran before the server restarted).
   * A failed clone rejects with a JobFailure, and a later call clones again.
   */
  async into(cwd: string): Promise<void> {
    const { codePath, checkout } = replicaCode(cwd)
    if (existsSync(checkout)) return
    const clone = jobClone(this.jobDir)
    this.#clone ??= existsSync(clone)
      ? Promise.resolve()
      : gitClone(this.code, clone, { env: this.env, signal: this.signal })
    try {
      await this.#clone
    } catch (err) {
      this.#clone = null // a later attempt (after a restart of the server, say) clones again
      throw err
    }
    // Copied beside, then renamed: a checkout is whole or absent.
    const partial = `${checkout}.partial`
    await mkdir(codePath, { recursive: true })
    await rm(partial, { recursive: true, force: true })
    await cp(clone, partial, { recursive: true, verbatimSymlinks: true })
    await rename(partial, checkout)
  }
}
