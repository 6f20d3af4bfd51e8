/**
 * @module
 * Command-line flags and `PERISCOPE_*` variables, parsed once with valibot into a
 * frozen {@link Config}. Flags win over the environment. The only reader of
 * `process.argv` and `process.env` is `main.ts`, which passes them in.
 */
import { parseArgs } from 'node:util'
import * as v from 'valibot'

export const RUNTIMES = ['auto', 'process', 'docker', 'kubernetes'] as const

const port = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'expected a port number'),
  v.transform(Number),
  v.minValue(0, 'expected a port from 0 to 65535'),
  v.maxValue(65535, 'expected a port from 0 to 65535'),
)
const millis = v.pipe(v.string(), v.regex(/^\d+$/, 'expected a whole number of milliseconds'), v.transform(Number))
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
/** A duration with its unit: `250ms`, `15s`, `10m`, `12h`, `7d`; in milliseconds. */
const duration = v.pipe(
  v.string(),
  v.regex(/^\d{1,12}(ms|s|m|h|d)$/, 'expected a duration such as 15s, 10m, 12h or 7d'),
  v.transform((text) => {
    const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(text)!
    return Number(n) * UNIT_MS[unit!]!
  }),
)
const positiveDuration = v.pipe(duration, v.minValue(1, 'expected a duration above zero'))

const dnsLabel = v.pipe(
  v.string(),
  v.regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    'expected a Kubernetes namespace name (lower-case letters, digits, -)',
  ),
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
})

/** The server's settings. */
export type Config = Readonly<v.InferOutput<typeof ServeSchema>>

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
} as const

/** A bad flag or value: `main.ts` prints the message as one line and exits non-zero. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Parses `serve`'s arguments and environment into a frozen config. */
export function parseServeConfig(args: string[], env: Record<string, string | undefined>): Config {
  let values: Record<string, string | boolean | undefined>
  try {
    const options = Object.fromEntries(Object.values(SERVE_FLAGS).map((f) => [f.flag, { type: 'string' as const }]))
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message.split('\n')[0]! : String(err))
  }
  const raw: Record<string, string | undefined> = {}
  for (const [key, f] of Object.entries(SERVE_FLAGS)) {
    const value = values[f.flag] ?? env[f.env] ?? (key === 'kubeconfig' ? env.KUBECONFIG : undefined) ?? f.default
    raw[key] = typeof value === 'string' ? value : undefined
  }
  const parsed = v.safeParse(ServeSchema, raw)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const key = v.getDotPath(issue) as keyof typeof SERVE_FLAGS
    const f = SERVE_FLAGS[key]
    throw new ConfigError(`invalid --${f?.flag ?? key} ${JSON.stringify(raw[key])} (or ${f?.env}): ${issue.message}`)
  }
  return Object.freeze(parsed.output)
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
