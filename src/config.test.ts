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
    restartBackoffMs: 10_000,
    requestTimeoutS: 60,
  })
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
