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
import { createEventLog } from './experiments/event-log.ts'
import { createExperimentService } from './experiments/experiment-service.ts'
import { startRetention } from './experiments/retention.ts'
import { SecretRedactor } from './experiments/secret-redactor.ts'
import { createStoreSink } from './experiments/store-sink.ts'
import { createSupervisor } from './experiments/supervisor.ts'
import { hostNames } from './http/host.ts'
import { createStreamSlots } from './http/stream-slots.ts'
import type { Runtime } from './runtime/runtime.ts'
import { openDatabase } from './storage/database.ts'
import { createDurableCommits, walSync } from './storage/durable-commits.ts'
import { createEnvironmentRepository } from './storage/environment-repository.ts'
import { createEventStore } from './storage/event-store.ts'
import { createExperimentRepository } from './storage/experiment-repository.ts'
import { createIdempotencyStore, IDEMPOTENCY_RETENTION_MS, type IdempotencyStore } from './storage/idempotency-store.ts'
import { createIdAllocator, instanceId } from './storage/ids.ts'
import { createLogStore } from './storage/log-store.ts'
import { securePrivateDir } from './storage/private-files.ts'
import { createTemplateRepository } from './storage/template-repository.ts'
import { createTokenRepository } from './storage/token-repository.ts'
import { Signals, signalKey } from './streams/signals.ts'
import { createTemplateService } from './templates/template-service.ts'

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
  /** How long a streaming client may read nothing before its connection is cut; default 30 s. */
  streamStallMs?: number
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
  let verifier: ReturnType<typeof prepareAuth>
  try {
    verifier = prepareAuth(config, createTokenRepository(db), log)
  } catch (err) {
    db.close()
    throw err
  }
  const runtime = await deps.makeRuntime(instance)
  const experiments = createExperimentRepository(db)
  const logs = createLogStore(db, { maxBytesPerReplica: config.maxLogBytesPerReplica })
  const environments = createEnvironmentRepository(db)
  const ids = createIdAllocator(db, Date.now())
  const signals = new Signals()
  const eventStore = createEventStore(db)
  const events = createEventLog(eventStore, signals)
  const idempotency = createIdempotencyStore(db)
  const atomically = <T>(fn: () => T): T => db.transaction(fn).immediate()
  const experimentService = createExperimentService({
    experiments,
    environments,
    logs,
    runtime,
    ids,
    namespace: config.namespace,
    submitTimeoutMs: deps.submitTimeoutMs ?? 5_000,
    events,
    signals,
    idempotency,
    atomically,
    redactor,
    durable: commits.durable,
  })
  for (const rec of experiments.unfinished()) redactor.remember(rec.experiment.experimentId, rec.experiment.spec)
  const sink = createStoreSink({
    experiments,
    logs,
    events,
    signals,
    atomically,
    log,
  })
  const supervisor = createSupervisor({
    experiments,
    service: experimentService,
    runtime,
    sink,
    events,
    wake: (id) => signals.notify(signalKey.experiment(id)),
    retryMs: deps.retryMs ?? 5_000,
    log,
  })
  await supervisor.start()
  const pruner = startEventPruner(eventStore, config.eventRetentionMs, log)
  const retention = startRetention({
    experiments,
    service: experimentService,
    logs,
    policy: {
      maxAgeMs: config.retentionMs,
      maxExperiments: config.retentionMaxExperiments,
      logLimit: config.maxLogBytesPerReplica !== undefined,
    },
    intervalMs: config.retentionIntervalMs,
    log,
  })
  const keyPruner = startKeyPruner(idempotency, log)
  const streams = {
    signals,
    heartbeatMs: config.heartbeatMs,
    stallMs: deps.streamStallMs ?? 30_000,
    slots: createStreamSlots(config.maxStreams),
  }
  const app = createApp({
    streams,
    events: eventStore,
    experiments: experimentService,
    environments: createEnvironmentService(environments, ids),
    templates: createTemplateService({ templates: createTemplateRepository(db), ids, namespace: config.namespace }),
    runtime,
    version: deps.version,
    log,
    security: {
      verifier,
      hostNames: hostNames(config.host, config.publicHosts),
      corsOrigins: config.corsOrigins,
    },
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
      clearInterval(pruner)
      clearInterval(keyPruner)
      await server.stop(true)
      await retention.stop()
      await supervisor.stop()
      await runtime.dispose()
      wal.close()
      db.close()
    },
  }
}

/**
 * Deletes events older than the retention now and then: every tenth of it, at least
 * every hour and at most every second (a short retention in tests is pruned promptly).
 */
function startEventPruner(
  store: ReturnType<typeof createEventStore>,
  retentionMs: number,
  log: (message: string) => void,
): ReturnType<typeof setInterval> {
  const prune = () => {
    try {
      store.prune(new Date(Date.now() - retentionMs).toISOString())
    } catch (err) {
      log(`could not prune old events: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  prune()
  const timer = setInterval(prune, Math.min(3_600_000, Math.max(1000, retentionMs / 10)))
  timer.unref()
  return timer
}

/** Deletes idempotency keys older than 24 hours, at start and every hour (an older key is ignored anyway). */
function startKeyPruner(store: IdempotencyStore, log: (message: string) => void): ReturnType<typeof setInterval> {
  const prune = () => {
    try {
      store.prune(new Date(Date.now() - IDEMPOTENCY_RETENTION_MS).toISOString())
    } catch (err) {
      log(`could not prune old idempotency keys: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  prune()
  const timer = setInterval(prune, 3_600_000)
  timer.unref()
  return timer
}
