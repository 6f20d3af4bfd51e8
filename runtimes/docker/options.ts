/**
 * @module
 * Options of the Docker runtime; the server parses them from its flags and environment.
 */
import type { RuntimeBaseOptions } from '../../src/runtime/labels.ts'
import type { EngineLookup } from './engine-probe.ts'

/** Options of {@link createDockerRuntime}; the server parses them from its flags and environment. */
export interface DockerRuntimeOptions extends RuntimeBaseOptions, Pick<EngineLookup, 'dockerHost' | 'env'> {
  /** Seconds between SIGTERM and SIGKILL when a container is stopped (default 10). */
  stopGraceSeconds?: number
  /** Safety-net re-list of every container, in ms (default 30 000). */
  resyncMs?: number
  /** Limit for engine calls that should be quick, in ms (default 10 000). */
  requestTimeoutMs?: number
  /** Where to say what went wrong in the background (default: nowhere). */
  log?: (message: string) => void
}
