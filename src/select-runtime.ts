/**
 * @module
 * Picks and builds the runtime named by `--runtime`. `auto`: the Kubernetes
 * runtime inside a cluster or when a kubeconfig is given (`--kubeconfig`,
 * `PERISCOPE_KUBECONFIG`, `KUBECONFIG`), else Docker when an engine answers, else processes.
 *
 * Only the chosen runtime is loaded (`import()` below): dockerode and
 * @kubernetes/client-node cost tens of milliseconds each to load, and the probes
 * for `auto` need neither (test/startup.test.ts checks).
 */

import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { detectDockerEngine } from '../runtimes/docker/engine-probe.ts'
import { detectInCluster } from '../runtimes/kubernetes/options.ts'
import { authRequired, type Config, ConfigError, isLoopback } from './config.ts'
import { errorText } from './errors.ts'
import type { Runtime } from './runtime/runtime.ts'

/** Builds the configured runtime for this server instance. */
export async function selectRuntime(
  config: Config,
  instanceId: string,
  env: Record<string, string | undefined>,
  log: (m: string) => void,
): Promise<Runtime> {
  const base = { namespace: config.namespace, instanceId, restartBackoffMs: config.restartBackoffMs }
  let name: string = config.runtime
  let dockerHost = config.dockerHost
  const inCluster = detectInCluster(env)
  if (name === 'auto' && (inCluster || config.kubeconfig)) {
    name = 'kubernetes'
    const why = inCluster ? 'running inside a cluster' : `kubeconfig ${config.kubeconfig}`
    log(`--runtime auto: using the kubernetes runtime (${why})`)
  } else if (name === 'auto') {
    const found = await detectDockerEngine({ dockerHost: config.dockerHost, env })
    if (found) dockerHost = found
    name = found ? 'docker' : 'process'
    log(`--runtime auto: using the ${name} runtime${found ? ` (engine at ${found})` : ' (no Docker engine answered)'}`)
  }
  switch (name) {
    case 'docker': {
      const { createDockerRuntime } = await import('../runtimes/docker/index.ts')
      return createDockerRuntime({ ...base, dockerHost, env, log })
    }
    case 'kubernetes': {
      const { createKubernetesRuntime } = await import('../runtimes/kubernetes/index.ts')
      const home = join(homedir(), '.kube', 'config')
      const kubeconfig = config.kubeconfig ?? (inCluster ? undefined : existsSync(home) ? home : undefined)
      try {
        return createKubernetesRuntime({
          ...base,
          kubeconfig,
          context: config.context,
          inCluster: !kubeconfig && inCluster,
          gitImage: config.gitImage,
        })
      } catch (err) {
        throw new ConfigError(`cannot use the kubernetes runtime: ${errorText(err)}`)
      }
    }
    case 'process': {
      if (!isLoopback(config.host) && !authRequired(config)) {
        throw new ConfigError(
          `refusing to listen on ${config.host} with the process runtime and --auth none: ` +
            "it runs every experiment's command as this user on this machine; " +
            'use --auth token (the default, auto, needs a token off loopback), --host 127.0.0.1, ' +
            'or the docker or kubernetes runtime',
        )
      }
      const { createProcessRuntime } = await import('../runtimes/process/index.ts')
      return createProcessRuntime({ ...base, dataDir: config.dataDir, baseEnv: cleanEnv(env), log })
    }
    default:
      throw new ConfigError(`unknown runtime ${name}`)
  }
}

function cleanEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !k.startsWith('PERISCOPE_')) out[k] = v
  return out
}
