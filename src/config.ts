/**
 * @module
 * Command-line flags and `PERISCOPE_*` variables, parsed once with valibot into a
 * frozen {@link Config}. Flags win over the environment. The only reader of
 * `process.argv` and `process.env` is `main.ts`, which passes them in.
 */
import { parseArgs } from 'node:util'
import * as v from 'valibot'

export const RUNTIMES = ['auto', 'process', 'docker', 'kubernetes'] as const
export const AUTH_MODES = ['auto', 'token', 'none'] as const

const port = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'expected a port number'),
  v.transform(Number),
  v.minValue(0, 'expected a port from 0 to 65535'),
  v.maxValue(65535, 'expected a port from 0 to 65535'),
)
const millis = v.pipe(v.string(), v.regex(/^\d+$/, 'expected a whole number of milliseconds'), v.transform(Number))
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
/** Milliseconds of a duration already checked to have its unit. */
const durationMs = (text: string): number => {
  const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(text)!
  return Number(n) * UNIT_MS[unit!]!
}
/** A duration with its unit: `250ms`, `15s`, `10m`, `12h`, `7d`; in milliseconds. */
const duration = v.pipe(
  v.string(),
  v.regex(/^\d{1,12}(ms|s|m|h|d)$/, 'expected a duration such as 15s, 10m, 12h or 7d'),
  v.transform(durationMs),
)
const positiveDuration = v.pipe(duration, v.minValue(1, 'expected a duration above zero'))
/** A number of days (`30`), or a duration with its unit (`12h`, `90m`); in milliseconds. */
const days = v.pipe(
  v.string(),
  v.regex(/^(\d{1,6}|\d{1,12}(ms|s|m|h|d))$/, 'expected a number of days (30) or a duration such as 12h or 7d'),
  v.transform((text) => (/^\d+$/.test(text) ? Number(text) * UNIT_MS.d! : durationMs(text))),
  v.minValue(1, 'expected an age above zero'),
)
const UNIT_BYTES: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }
/** A size in bytes, with an optional binary unit: `1048576`, `512K`, `10M`, `1G` (also `10MiB`, `10MB`). */
const size = v.pipe(
  v.string(),
  v.regex(/^\d{1,15}([kmg](i?b)?|b)?$/i, 'expected a size such as 65536, 512K, 10M or 1G (K, M, G: powers of 1024)'),
  v.transform((text) => {
    const [, n, unit] = /^(\d+)([kmgb]?)/i.exec(text)!
    return Number(n) * UNIT_BYTES[unit!.toLowerCase()]!
  }),
  v.minValue(1, 'expected a size above zero'),
  v.maxValue(Number.MAX_SAFE_INTEGER, 'expected a smaller size'),
)
const count = v.pipe(
  v.string(),
  v.regex(/^\d{1,15}$/, 'expected a whole number'),
  v.transform(Number),
  v.minValue(1, 'expected a number above zero'),
)

/** Bun's idle timeout takes whole seconds up to 255. */
const seconds = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'expected a whole number of seconds from 1 to 255'),
  v.transform(Number),
  v.minValue(1, 'expected a whole number of seconds from 1 to 255'),
  v.maxValue(255, 'expected a whole number of seconds from 1 to 255'),
)
const dnsLabel = v.pipe(
  v.string(),
  v.regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    'expected a Kubernetes namespace name (lower-case letters, digits, -)',
  ),
)

/** `scheme://host[:port]` as a browser sends it in `Origin` (lower-cased, a trailing slash dropped). */
const origin = v.pipe(
  v.string(),
  v.transform((o) => o.toLowerCase().replace(/\/$/, '')),
  v.regex(
    /^https?:\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/,
    'expected an origin such as https://ui.example.com or http://localhost:4200 (scheme, host and port; no path)',
  ),
)
const hostName = v.pipe(
  v.string(),
  v.regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/i, 'expected a host name such as periscope.example.com (no port)'),
  v.transform((h) => h.toLowerCase()),
)

const ServeSchema = v.object({
  host: v.pipe(v.string(), v.nonEmpty('expected a host name or address')),
  port,
  dataDir: v.pipe(v.string(), v.nonEmpty('expected a directory')),
  runtime: v.picklist(RUNTIMES, `expected one of ${RUNTIMES.join(', ')}`),
  namespace: dnsLabel,
  kubeconfig: v.optional(v.string()),
  context: v.optional(v.string()),
  dockerHost: v.optional(v.string()),
  /** Image of the Kubernetes code sync init container. */
  gitImage: v.optional(
    v.pipe(v.string(), v.regex(/^\S+$/, 'expected an image reference such as registry.local/git-sync:v3.1.6')),
  ),
  restartBackoffMs: millis,
  /** How long status events are kept. */
  eventRetentionMs: positiveDuration,
  /** Longest silence on a stream before a heartbeat. */
  heartbeatMs: positiveDuration,
  auth: v.picklist(AUTH_MODES, `expected one of ${AUTH_MODES.join(', ')}`),
  tokenFile: v.optional(v.pipe(v.string(), v.nonEmpty('expected a file'))),
  corsOrigins: v.array(origin),
  publicHosts: v.array(hostName),
  /** Finished experiments older than this (since they finished) are removed; off when absent. */
  retentionMs: v.optional(days),
  /** At most this many finished experiments are kept (the last to finish); off when absent. */
  retentionMaxExperiments: v.optional(count),
  /** How often the retention pass runs (it also runs at start). */
  retentionIntervalMs: positiveDuration,
  /** Bytes kept of each replica's log (its end); unlimited when absent. */
  maxLogBytesPerReplica: v.optional(size),
  /** Longest a request may take to arrive and a kept-alive connection may stay idle, in seconds. */
  requestTimeoutS: seconds,
  /** Most log follows and event streams open at once. */
  maxStreams: count,
})

/** The server's settings. */
export type Config = Readonly<
  Omit<v.InferOutput<typeof ServeSchema>, 'corsOrigins' | 'publicHosts'> & {
    corsOrigins: readonly string[]
    publicHosts: readonly string[]
  }
>

/** Flags of `periscope serve`, with their environment variables and defaults. */
export const SERVE_FLAGS = {
  host: { flag: 'host', env: 'PERISCOPE_HOST', default: '127.0.0.1', help: 'address to listen on' },
  port: { flag: 'port', env: 'PERISCOPE_PORT', default: '32080', help: 'port to listen on' },
  dataDir: {
    flag: 'data-dir',
    env: 'PERISCOPE_DATA_DIR',
    default: './data',
    help: 'where the SQLite database and process working directories live',
  },
  runtime: {
    flag: 'runtime',
    env: 'PERISCOPE_RUNTIME',
    default: 'auto',
    help:
      'auto | process | docker | kubernetes ' +
      '(auto: kubernetes in a cluster or with a kubeconfig, else docker if an engine answers, else process)',
  },
  namespace: {
    flag: 'namespace',
    env: 'PERISCOPE_NAMESPACE',
    default: 'default',
    help: 'namespace of experiments (meta.namespace, TF_CONFIG hosts, Kubernetes objects)',
  },
  kubeconfig: {
    flag: 'kubeconfig',
    env: 'PERISCOPE_KUBECONFIG',
    default: undefined,
    help: 'kubeconfig file for the kubernetes runtime (else KUBECONFIG, ~/.kube/config or in-cluster)',
  },
  context: { flag: 'context', env: 'PERISCOPE_CONTEXT', default: undefined, help: 'kubeconfig context to use' },
  dockerHost: {
    flag: 'docker-host',
    env: 'DOCKER_HOST',
    default: undefined,
    help: 'Docker engine (else the usual sockets)',
  },
  gitImage: {
    flag: 'git-image',
    env: 'PERISCOPE_GIT_IMAGE',
    default: 'apache/submarine:git-sync-3.1.6',
    help: "image of the code sync init container on kubernetes (git-sync 3, GIT_SYNC_* env as Submarine's)",
  },
  restartBackoffMs: {
    flag: 'restart-backoff-ms',
    env: 'PERISCOPE_RESTART_BACKOFF_MS',
    default: '10000',
    help: 'first delay before a failed replica restarts in place; doubles per restart (process and docker runtimes)',
  },
  eventRetentionMs: {
    flag: 'event-retention',
    env: 'PERISCOPE_EVENT_RETENTION',
    default: '7d',
    help: 'how long status events (/api/v1/experiment/events) are kept: 90m, 12h, 7d, …',
  },
  heartbeatMs: {
    flag: 'heartbeat',
    env: 'PERISCOPE_HEARTBEAT',
    default: '15s',
    help: 'longest silence on an event or log stream before a heartbeat (SSE ": ping", NDJSON empty line)',
  },
  auth: {
    flag: 'auth',
    env: 'PERISCOPE_AUTH',
    default: 'auto',
    help:
      'auto | token | none: whether /api needs "Authorization: Bearer <token>" ' +
      '(auto: not on a loopback --host, required on any other)',
  },
  tokenFile: {
    flag: 'token-file',
    env: 'PERISCOPE_TOKEN_FILE',
    default: undefined,
    help: 'a file holding one more read-write token (e.g. a mounted Secret), besides those of "periscope token create"',
  },
  corsOrigins: {
    flag: 'cors-origin',
    env: 'PERISCOPE_CORS_ORIGIN',
    default: undefined,
    help: 'an origin whose web pages may call the API (repeatable; the variable takes a comma-separated list)',
  },
  publicHosts: {
    flag: 'public-host',
    env: 'PERISCOPE_PUBLIC_HOST',
    default: undefined,
    help: 'a name clients use for this server in the Host header, besides localhost and IP addresses (repeatable)',
  },
  retentionMs: {
    flag: 'retention-days',
    env: 'PERISCOPE_RETENTION_DAYS',
    default: undefined,
    help:
      'remove finished experiments (with their logs, events and runtime leftovers) this long after they ' +
      'finished: days (30) or a duration (12h); off by default',
  },
  retentionMaxExperiments: {
    flag: 'retention-max-experiments',
    env: 'PERISCOPE_RETENTION_MAX_EXPERIMENTS',
    default: undefined,
    help: 'keep at most this many finished experiments, removing those that finished first; off by default',
  },
  retentionIntervalMs: {
    flag: 'retention-interval',
    env: 'PERISCOPE_RETENTION_INTERVAL',
    default: '10m',
    help: 'how often retention runs (also at start): removals beyond the policy, logs over the size limit',
  },
  maxLogBytesPerReplica: {
    flag: 'max-log-bytes-per-replica',
    env: 'PERISCOPE_MAX_LOG_BYTES_PER_REPLICA',
    default: undefined,
    help:
      'keep the end of each replica log within this size (10M, 512K; powers of 1024), ' +
      'with one line where it was cut; unlimited by default',
  },
  requestTimeoutS: {
    flag: 'request-timeout',
    env: 'PERISCOPE_REQUEST_TIMEOUT',
    default: '60',
    help:
      'seconds a request body may take to arrive (else 408) and an idle connection may stay open ' +
      '(1 to 255; request heads get 10 s from Bun)',
  },
  maxStreams: {
    flag: 'max-streams',
    env: 'PERISCOPE_MAX_STREAMS',
    default: '1000',
    help: 'most log follows and event streams open at once; one more is answered 429',
  },
} as const

/** Flags that may be given more than once; their variable holds a comma-separated list. */
const LIST_FLAGS: ReadonlySet<string> = new Set(['corsOrigins', 'publicHosts'])

/** A bad flag or value: `main.ts` prints the message as one line and exits non-zero. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Parses `serve`'s arguments and environment into a frozen config. */
export function parseServeConfig(args: string[], env: Record<string, string | undefined>): Config {
  let values: Record<string, string | string[] | boolean | undefined>
  try {
    const options = Object.fromEntries(
      Object.entries(SERVE_FLAGS).map(([key, f]) => [
        f.flag,
        { type: 'string' as const, multiple: LIST_FLAGS.has(key) },
      ]),
    )
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message.split('\n')[0]! : String(err))
  }
  const raw: Record<string, string | string[] | undefined> = {}
  for (const [key, f] of Object.entries(SERVE_FLAGS)) {
    const value = values[f.flag] ?? env[f.env] ?? (key === 'kubeconfig' ? env.KUBECONFIG : undefined) ?? f.default
    if (LIST_FLAGS.has(key)) raw[key] = listOf(value)
    else raw[key] = typeof value === 'string' ? value : undefined
  }
  const parsed = v.safeParse(ServeSchema, raw)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const key = issue.path?.[0]?.key as keyof typeof SERVE_FLAGS
    const f = SERVE_FLAGS[key]
    const value = issue.path?.length === 2 ? issue.input : raw[key]
    throw new ConfigError(`invalid --${f?.flag ?? key} ${JSON.stringify(value)} (or ${f?.env}): ${issue.message}`)
  }
  const { corsOrigins, publicHosts } = parsed.output
  return Object.freeze({
    ...parsed.output,
    corsOrigins: Object.freeze([...new Set(corsOrigins)]),
    publicHosts: Object.freeze([...new Set(publicHosts)]),
  })
}

/** A repeatable flag's values, or its variable's comma-separated list: trimmed, empty items dropped. */
function listOf(value: string | string[] | boolean | undefined): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? [value] : []
  return items.flatMap((item) => item.split(',')).flatMap((item) => (item.trim() === '' ? [] : [item.trim()]))
}

/**
 * Whether `/api` needs a token: `--auth token`, or `--auth auto` (the default) on an address
 * other machines can reach. On loopback `auto` needs none, as Submarine's SDK and CLI send none.
 */
export function authRequired(config: Pick<Config, 'auth' | 'host'>): boolean {
  return config.auth === 'token' || (config.auth === 'auto' && !isLoopback(config.host))
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
