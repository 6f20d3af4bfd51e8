/**
 * @module
 * Wires a running server from a config: database, runtime, services, supervisor,
 * HTTP listener. `main.ts` calls it; tests call it to run the real thing.
 */
import type { Database } from 'bun:sqlite'
import { join } from 'node:path'
import type { Hono } from 'hono'
import { createApp } from './app.ts'
import type { Config } from './config.ts'
import { createEnvironmentService } from './environments/environment-service.ts'
import { createExperimentService } from './experiments/experiment-service.ts'
import { SecretRedactor } from './experiments/secret-redactor.ts'
import { createStoreSink } from './experiments/store-sink.ts'
import { createSupervisor } from './experiments/supervisor.ts'
import type { Runtime } from './runtime/runtime.ts'
import { openDatabase } from './storage/database.ts'
import { createDurableCommits, walSync } from './storage/durable-commits.ts'
import { createEnvironmentRepository } from './storage/environment-repository.ts'
import { createExperimentRepository } from './storage/experiment-repository.ts'
import { createIdAllocator, instanceId } from './storage/ids.ts'
import { createLogStore } from './storage/log-store.ts'
import { securePrivateDir } from './storage/private-files.ts'

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
  /** Wraps the WAL fsync that acknowledged changes wait for (tests hold it to see answers wait). */
  wrapWalSync?: (sync: () => void) => () => Promise<void>
}

/** Opens the stores, starts the runtime and supervisor, then listens. */
export async function startServer(deps: ServerDeps): Promise<Server> {
  const { config } = deps
  // Every line logged passes the redactor: runtime errors can quote a spec's secrets.
  const redactor = new SecretRedactor()
  const log = (message: string) => deps.log(redactor.redact(message))
  securePrivateDir(config.dataDir, log)
  const dbPath = join(config.dataDir, 'periscope.db')
  const db = openDatabase(dbPath)
  const wal = walSync(dbPath)
  const commits = createDurableCommits(deps.wrapWalSync ? deps.wrapWalSync(wal.sync) : wal.sync)
  const instance = instanceId(db)
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
    redactor,
  })
  for (const rec of experiments.unfinished()) redactor.remember(rec.experiment.experimentId, rec.experiment.spec)
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
    durable: commits.durable,
    requestTimeoutMs: config.requestTimeoutS * 1000,
  })
  // Bun cuts a request head that takes over 10 s itself; the idle timeout cuts connections
  // that stay silent (or trickle under 16 KiB) for it, and the app bounds a slow body.
  const server = Bun.serve({
    hostname: config.host,
    port: config.port,
    fetch: app.fetch,
    idleTimeout: config.requestTimeoutS,
  })
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
      wal.close()
      db.close()
    },
  }
}
