/**
 * @module
 * Options of the process runtime; the server parses them from its flags.
 */
import type { RuntimeBaseOptions } from '../../src/runtime/labels.ts'

export interface ProcessRuntimeOptions extends RuntimeBaseOptions {
  /** Replicas live under `<dataDir>/runs/<experimentId>/`. */
  dataDir: string
  /** Environment every replica starts from (the server's own, usually), before the experiment's. */
  baseEnv: Record<string, string>
  /** SIGTERM → SIGKILL grace when stopping a replica. Default 10 s. */
  stopGraceMs?: number
  /** How often log files are read. Default 100 ms. */
  pollMs?: number
}
