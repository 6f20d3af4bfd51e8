import { expect, test } from 'bun:test'
import { authRequired, ConfigError, isLoopback, parseServeConfig } from './config.ts'

test('has the documented defaults', () => {
  expect(parseServeConfig([], {})).toEqual({
    host: '127.0.0.1',
    port: 32080,
    dataDir: './data',
    runtime: 'auto',
    namespace: 'default',
    kubeconfig: undefined,
    context: undefined,
    dockerHost: undefined,
    gitImage: 'apache/submarine:git-sync-3.1.6',
    restartBackoffMs: 10_000,
    eventRetentionMs: 7 * 86_400_000,
    heartbeatMs: 15_000,
    auth: 'auto',
    tokenFile: undefined,
    corsOrigins: [],
    publicHosts: [],
    retentionMs: undefined,
    retentionMaxExperiments: undefined,
    retentionIntervalMs: 600_000,
    maxLogBytesPerReplica: undefined,
    requestTimeoutS: 60,
    maxStreams: 1000,
  })
})

test('retention flags: days or a duration, a count, sizes with binary units', () => {
  const c = parseServeConfig(
    ['--retention-days', '30', '--retention-max-experiments', '5000', '--max-log-bytes-per-replica', '10M'],
    { PERISCOPE_RETENTION_INTERVAL: '30s' },
  )
  expect(c).toMatchObject({
    retentionMs: 30 * 86_400_000,
    retentionMaxExperiments: 5000,
    maxLogBytesPerReplica: 10 * 1024 * 1024,
    retentionIntervalMs: 30_000,
  })
  expect(parseServeConfig(['--retention-days', '12h'], {}).retentionMs).toBe(12 * 3_600_000)
  const bytes = (text: string) => parseServeConfig(['--max-log-bytes-per-replica', text], {}).maxLogBytesPerReplica
  expect([bytes('65536'), bytes('512K'), bytes('512k'), bytes('2MiB'), bytes('1G'), bytes('3MB'), bytes('7B')]).toEqual(
    [65536, 512 * 1024, 512 * 1024, 2 * 1024 ** 2, 1024 ** 3, 3 * 1024 ** 2, 7],
  )
  expect(() => parseServeConfig(['--max-log-bytes-per-replica', '10 MB'], {})).toThrow(
    'invalid --max-log-bytes-per-replica "10 MB" (or PERISCOPE_MAX_LOG_BYTES_PER_REPLICA): ' +
      'expected a size such as 65536, 512K, 10M or 1G (K, M, G: powers of 1024)',
  )
  expect(() => parseServeConfig(['--max-log-bytes-per-replica', '0K'], {})).toThrow('expected a size above zero')
  expect(() => parseServeConfig(['--retention-days', 'forever'], {})).toThrow(
    'invalid --retention-days "forever" (or PERISCOPE_RETENTION_DAYS): ' +
      'expected a number of days (30) or a duration such as 12h or 7d',
  )
  expect(() => parseServeConfig(['--retention-days', '0'], {})).toThrow('expected an age above zero')
  expect(() => parseServeConfig([], { PERISCOPE_RETENTION_MAX_EXPERIMENTS: '-3' })).toThrow(
    'invalid --retention-max-experiments "-3" (or PERISCOPE_RETENTION_MAX_EXPERIMENTS): expected a whole number',
  )
  expect(() => parseServeConfig(['--retention-max-experiments', '0'], {})).toThrow('expected a number above zero')
  expect(() => parseServeConfig(['--retention-interval', '0s'], {})).toThrow('expected a duration above zero')
})

test('--git-image names the code sync image (for an air-gapped registry); it must be one word', () => {
  expect(parseServeConfig(['--git-image', 'registry.local/git-sync:v3.1.6'], {}).gitImage).toBe(
    'registry.local/git-sync:v3.1.6',
  )
  expect(parseServeConfig([], { PERISCOPE_GIT_IMAGE: 'mirror/git-sync:3' }).gitImage).toBe('mirror/git-sync:3')
  expect(() => parseServeConfig(['--git-image', 'a b'], {})).toThrow(
    'invalid --git-image "a b" (or PERISCOPE_GIT_IMAGE): expected an image reference',
  )
})

test('durations take a unit', () => {
  const c = parseServeConfig(['--event-retention', '90m', '--heartbeat', '250ms'], {})
  expect([c.eventRetentionMs, c.heartbeatMs]).toEqual([90 * 60_000, 250])
  expect(parseServeConfig([], { PERISCOPE_EVENT_RETENTION: '12h' }).eventRetentionMs).toBe(12 * 3_600_000)
  expect(() => parseServeConfig(['--event-retention', '7'], {})).toThrow(
    'invalid --event-retention "7" (or PERISCOPE_EVENT_RETENTION): expected a duration such as 15s, 10m, 12h or 7d',
  )
  expect(() => parseServeConfig(['--heartbeat', '0s'], {})).toThrow('expected a duration above zero')
})

test('reads PERISCOPE_* variables, and flags win over them', () => {
  const env = {
    PERISCOPE_PORT: '4000',
    PERISCOPE_RUNTIME: 'process',
    PERISCOPE_DATA_DIR: '/var/lib/p',
    KUBECONFIG: '/k',
  }
  const c = parseServeConfig(['--port', '5000'], env)
  expect(c).toMatchObject({ port: 5000, runtime: 'process', dataDir: '/var/lib/p', kubeconfig: '/k' })
  expect(Object.isFrozen(c)).toBe(true)
})

test('a bad flag or value is one clear line', () => {
  const message = (args: string[], env = {}) => {
    try {
      parseServeConfig(args, env)
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      return (err as Error).message
    }
    throw new Error('accepted')
  }
  expect(message(['--port', 'x'])).toBe('invalid --port "x" (or PERISCOPE_PORT): expected a port number')
  expect(message([], { PERISCOPE_RUNTIME: 'magic' })).toBe(
    'invalid --runtime "magic" (or PERISCOPE_RUNTIME): expected one of auto, process, docker, kubernetes',
  )
  expect(message(['--namespace', 'Bad_NS'])).toContain('expected a Kubernetes namespace name')
  expect(message(['--nope'])).toContain("Unknown option '--nope'")
  expect(message(['--port', '70000'])).toContain('expected a port from 0 to 65535')
  expect(message(['--request-timeout', '0'])).toBe(
    'invalid --request-timeout "0" (or PERISCOPE_REQUEST_TIMEOUT): expected a whole number of seconds from 1 to 255',
  )
})

test('knows loopback addresses', () => {
  expect(['127.0.0.1', 'localhost', '::1', '127.1.2.3'].every(isLoopback)).toBe(true)
  expect(['0.0.0.0', '10.0.0.1', '::'].some(isLoopback)).toBe(false)
})

test('auth, token file, CORS origins and public hosts: repeatable flags, comma lists in variables', () => {
  const c = parseServeConfig(
    ['--auth', 'token', '--cors-origin', 'HTTP://UI.example:4200/', '--cors-origin', 'https://b.example'],
    { PERISCOPE_PUBLIC_HOST: 'periscope.example, Other.Example', PERISCOPE_TOKEN_FILE: '/run/token' },
  )
  expect(c).toMatchObject({
    auth: 'token',
    tokenFile: '/run/token',
    corsOrigins: ['http://ui.example:4200', 'https://b.example'],
    publicHosts: ['periscope.example', 'other.example'],
  })
  expect(Object.isFrozen(c.corsOrigins)).toBe(true)
  const bad = (args: string[]) => {
    try {
      parseServeConfig(args, {})
    } catch (err) {
      return (err as Error).message
    }
    throw new Error('accepted')
  }
  expect(bad(['--auth', 'maybe'])).toBe('invalid --auth "maybe" (or PERISCOPE_AUTH): expected one of auto, token, none')
  expect(bad(['--cors-origin', 'https://a.example', '--cors-origin', 'ui.example/app'])).toBe(
    'invalid --cors-origin "ui.example/app" (or PERISCOPE_CORS_ORIGIN): expected an origin such as ' +
      'https://ui.example.com or http://localhost:4200 (scheme, host and port; no path)',
  )
  expect(bad(['--public-host', 'a.example:80'])).toContain('invalid --public-host "a.example:80"')
})

test('a token is required with --auth token, and with auto off loopback', () => {
  const required = (args: string[]) => authRequired(parseServeConfig(args, {}))
  expect(required([])).toBe(false)
  expect(required(['--host', '::1'])).toBe(false)
  expect(required(['--auth', 'token'])).toBe(true)
  expect(required(['--host', '0.0.0.0'])).toBe(true)
  expect(required(['--host', '0.0.0.0', '--auth', 'none'])).toBe(false)
})
