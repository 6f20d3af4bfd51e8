/**
 * @module
 * The Docker runtime: one bridge network per experiment, one container per
 * replica, operator statuses, env and logs (see README.md beside this file).
 */
import type { Runtime } from '../../src/runtime/runtime.ts'
import { DockerRuntime } from './docker-runtime.ts'
import type { DockerRuntimeOptions } from './options.ts'

export { dockerHostCandidates, parseDockerHost } from './engine-address.ts'
export { detectDockerEngine, type EngineLookup } from './engine-probe.ts'
export type { DockerRuntimeOptions } from './options.ts'

/**
 * Creates the Docker runtime. Nothing is dialled until `start`.
 * @example
 * const runtime = createDockerRuntime({
 *   namespace: config.namespace,
 *   instanceId,
 *   restartBackoffMs: config.restartBackoffMs,
 *   dockerHost: config.dockerHost,
 *   env,
 * })
 */
export function createDockerRuntime(options: DockerRuntimeOptions): Runtime {
  return new DockerRuntime(options)
}
