/**
 * @module
 * A real server for tests: SQLite file in a temp dir, the process runtime, the
 * supervisor running. `request`/`json` go through `app.request` (no socket); `url` is
 * the real listener on a free loopback port.
 */

import { createProcessRuntime } from '../../runtimes/process/index.ts'
import type { Config } from '../../src/config.ts'
import type { Runtime } from '../../src/runtime/runtime.ts'
import { type Server, startServer } from '../../src/server.ts'
import { tempDir } from './temp-dir.ts'

export interface TestServer extends Server {
  dataDir: string
  /** What the server has logged so far. */
  logged: string[]
  /** Sends a request through `app.request` (no socket); path like `/api/v1/experiment`. */
  request(path: string, init?: RequestInit): Promise<Response>
  /** Sends JSON and returns the parsed envelope with the HTTP status. */
  json(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ http: number; body: any }>
}

export interface TestServerOptions {
  dataDir?: string
  namespace?: string
  /** First restart delay of failed replicas; default 60 s so failing doc examples stay Running. */
  restartBackoffMs?: number
  makeRuntime?: (instanceId: string, dataDir: string) => Promise<Runtime>
  /** How long a create waits for the runtime; default the server's (5 s). */
  submitTimeoutMs?: number
  /** Event retention; default the server's (7 days). */
  eventRetentionMs?: number
  /** Stream heartbeat; default the server's (15 s). */
  heartbeatMs?: number
  /** How long a streaming client may read nothing; default the server's (30 s). */
  streamStallMs?: number
  /** `--auth`, `--token-file`, `--cors-origin`, `--public-host`; default none of them (auth off on loopback). */
  security?: Partial<Pick<Config, 'auth' | 'tokenFile' | 'corsOrigins' | 'publicHosts'>>
  /** Retention (`--retention-days`, `--retention-max-experiments`, `--max-log-bytes-per-replica`); off by default. */
  retentionMs?: number
  retentionMaxExperiments?: number
  maxLogBytesPerReplica?: number
  /** How often retention runs; default 10 min. */
  retentionIntervalMs?: number
  /** `--max-streams`; default the server's (1000). */
  maxStreams?: number
  /** Wraps the WAL fsync acknowledged changes wait for. */
  wrapWalSync?: (sync: () => void) => () => Promise<void>
}

/** Lines kept of what a test server logs. */
const MAX_LOGGED = 10_000

/** Starts a server on a free loopback port with the process runtime. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir()
  const config: Config = Object.freeze({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    runtime: 'process',
    namespace: opts.namespace ?? 'default',
    restartBackoffMs: opts.restartBackoffMs ?? 60_000,
    eventRetentionMs: opts.eventRetentionMs ?? 7 * 86_400_000,
    heartbeatMs: opts.heartbeatMs ?? 15_000,
    auth: 'auto',
    corsOrigins: [],
    publicHosts: [],
    ...opts.security,
    retentionMs: opts.retentionMs,
    retentionMaxExperiments: opts.retentionMaxExperiments,
    retentionIntervalMs: opts.retentionIntervalMs ?? 600_000,
    maxLogBytesPerReplica: opts.maxLogBytesPerReplica,
    requestTimeoutS: 60,
    maxStreams: opts.maxStreams ?? 1000,
  } as const)
  const logged: string[] = []
  const server = await startServer({
    config,
    version: 'test',
    log: (line) => {
      if (logged.length < MAX_LOGGED) logged.push(line)
    },
    retryMs: 200,
    submitTimeoutMs: opts.submitTimeoutMs,
    streamStallMs: opts.streamStallMs,
    wrapWalSync: opts.wrapWalSync,
    makeRuntime: async (instanceId) =>
      opts.makeRuntime?.(instanceId, dataDir) ??
      createProcessRuntime({
        dataDir,
        baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        namespace: config.namespace,
        instanceId,
        restartBackoffMs: config.restartBackoffMs,
        stopGraceMs: 1000,
        pollMs: 20,
      }),
  })
  const request = async (path: string, init?: RequestInit) => server.app.request(`http://localhost${path}`, init)
  return {
    ...server,
    dataDir,
    logged,
    request,
    async json(method, path, body, headers = {}) {
      const res = await request(path, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      })
      const text = await res.text()
      return { http: res.status, body: text ? JSON.parse(text) : null }
    },
  }
}
