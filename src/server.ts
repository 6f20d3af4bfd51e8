/**
 * @module
 * Wires a running server from a config: database, runtime, services, supervisor,
 * HTTP listener. `main.ts` calls it; tests call it to run the real thing.
 */
import type { Database } from 'bun:sqlite'
import { join } from 'node:path'
import type { Hono } from 'hono'
import { createApp } from './app.ts'
import { prepareAuth } from './auth/prepare-auth.ts'
import type { Config } from './config.ts'
import { createEnvironmentService } from './environments/environment-service.ts'
import { createExperimentService } from './experiments/experiment-service.ts'
import { createStoreSink } from './experiments/store-sink.ts'
import { createSupervisor } from './experiments/supervisor.ts'
import { hostNames } from './http/host.ts'
import type { Runtime } from './runtime/runtime.ts'
import { openDatabase } from './storage/database.ts'
import { createEnvironmentRepository } from './storage/environment-repository.ts'
import { createExperimentRepository } from './storage/experiment-repository.ts'
import { createIdAllocator, instanceId } from './storage/ids.ts'
import { createLogStore } from './storage/log-store.ts'
import { createTokenRepository } from './storage/token-repository.ts'

/** Everything a running server holds. */
export interface Server {
  url: string
  /** The Hono app (tests call `app.request` on it). */
  app: Hono
  runtime: Runtime
  db: Database
  /** Stops listening and following; jobs keep running. */
  stop(): Promise<void>
}

export interface ServerDeps {
  config: Config
  /** Makes the runtime once the instance id is known. */
  makeRuntime(instanceId: string): Promise<Runtime>
  version: string
  log: (message: string) => void
  /** Pause between resubmission rounds; default 5 s. */
  retryMs?: number
  /** How long a create waits for the runtime before answering Accepted; default 5 s. */
  submitTimeoutMs?: number
}

/** Opens the stores, starts the runtime and supervisor, then listens. */
export async function startServer(deps: ServerDeps): Promise<Server> {
  const { config, log } = deps
  const db = openDatabase(join(config.dataDir, 'periscope.db'))
  const instance = instanceId(db)
  let verifier: ReturnType<typeof prepareAuth>
  try {
    verifier = prepareAuth(config, createTokenRepository(db), log)
  } catch (err) {
    db.close()
    throw err
  }
  const runtime = await deps.makeRuntime(instance)
  const experiments = createExperimentRepository(db)
  const logs = createLogStore(db)
  const environments = createEnvironmentRepository(db)
  const ids = createIdAllocator(db, Date.now())
  const experimentService = createExperimentService({
    experiments,
    environments,
    logs,
    runtime,
    ids,
    namespace: config.namespace,
    submitTimeoutMs: deps.submitTimeoutMs ?? 5_000,
  })
  const sink = createStoreSink(experiments, logs, log)
  const supervisor = createSupervisor({
    experiments,
    service: experimentService,
    runtime,
    sink,
    retryMs: deps.retryMs ?? 5_000,
    log,
  })
  await supervisor.start()
  const app = createApp({
    experiments: experimentService,
    environments: createEnvironmentService(environments, ids),
    runtime,
    version: deps.version,
    log,
    security: {
      verifier,
      hostNames: hostNames(config.host, config.publicHosts),
      corsOrigins: config.corsOrigins,
    },
  })
  const server = Bun.serve({ hostname: config.host, port: config.port, fetch: app.fetch, idleTimeout: 120 })
  log(
    `periscope ${deps.version} listening on http://${config.host}:${server.port} ` +
      `(runtime ${runtime.name}, data ${config.dataDir}, instance ${instance})`,
  )
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${server.port}`,
    app,
    runtime,
    db,
    async stop() {
      await server.stop(true)
      await supervisor.stop()
      await runtime.dispose()
      db.close()
    },
  }
}
