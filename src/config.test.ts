import { expect, test } from 'bun:test'
import { ConfigError, isLoopback, parseServeConfig } from './config.ts'

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
  })
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
})

test('knows loopback addresses', () => {
  expect(['127.0.0.1', 'localhost', '::1', '127.1.2.3'].every(isLoopback)).toBe(true)
  expect(['0.0.0.0', '10.0.0.1', '::'].some(isLoopback)).toBe(false)
})
