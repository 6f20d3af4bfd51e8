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

const ServeSchema = v.object({
  host: v.pipe(v.string(), v.nonEmpty('expected a host name or address')),
  port,
  dataDir: v.pipe(v.string(), v.nonEmpty('expected a directory')),
  runtime: v.picklist(RUNTIMES, `expected one of ${RUNTIMES.join(', ')}`),
  namespace: dnsLabel,
  kubeconfig: v.optional(v.string()),
  context: v.optional(v.string()),
  dockerHost: v.optional(v.string()),
  restartBackoffMs: millis,
  /** Longest a request may take to arrive and a kept-alive connection may stay idle, in seconds. */
  requestTimeoutS: seconds,
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
  restartBackoffMs: {
    flag: 'restart-backoff-ms',
    env: 'PERISCOPE_RESTART_BACKOFF_MS',
    default: '10000',
    help: 'first delay before a failed replica restarts in place; doubles per restart (process and docker runtimes)',
  },
  requestTimeoutS: {
    flag: 'request-timeout',
    env: 'PERISCOPE_REQUEST_TIMEOUT',
    default: '60',
    help:
      'seconds a request body may take to arrive (else 408) and an idle connection may stay open ' +
      '(1 to 255; request heads get 10 s from Bun)',
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
