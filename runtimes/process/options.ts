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
  /**
   * How often every log file is read anyway. Writes wake the followers through `fs.watch`, so
   * by default this is a 1 s safety net; 100 ms where `fs.watch` is unavailable.
   */
  pollMs?: number
  /** Start-up notices (the server's console). */
  log?: (message: string) => void
}
