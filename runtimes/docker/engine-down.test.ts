import { afterAll, describe, expect, test } from 'bun:test'
import { RuntimeUnavailableError } from '../../src/errors.ts'
import { jobSpec } from '../testing/job-spec.ts'
import { MemorySink } from '../testing/memory-sink.ts'
import { createDockerRuntime } from './index.ts'

// Runs everywhere: the engine is a socket that does not exist.
describe('docker runtime with no engine', () => {
  const runtime = createDockerRuntime({
    namespace: 'default',
    instanceId: 'engine-down',
    restartBackoffMs: 100,
    dockerHost: 'unix:///tmp/periscope-no-such-engine.sock',
  })
  const job = jobSpec({ name: 'down', image: 'periscope-test/busybox:latest' })
  afterAll(() => runtime.dispose())

  test('start does not throw, and unavailable() says why', async () => {
    const t0 = Date.now()
    await runtime.start(new MemorySink())
    expect(Date.now() - t0).toBeLessThan(2000)
    expect(runtime.unavailable()).toStartWith('Docker engine unreachable: ')
    expect(runtime.unavailable()).toContain('/tmp/periscope-no-such-engine.sock')
  })

  test('submit throws RuntimeUnavailableError fast (503, never a 500)', async () => {
    const t0 = Date.now()
    const err = await runtime.submit(job).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RuntimeUnavailableError)
    expect((err as RuntimeUnavailableError).status).toBe(503)
    expect((err as Error).message).toContain('/tmp/periscope-no-such-engine.sock')
    expect(Date.now() - t0).toBeLessThan(2000)
  })

  test('owned, update and delete throw RuntimeUnavailableError too', async () => {
    await expect(runtime.owned()).rejects.toBeInstanceOf(RuntimeUnavailableError)
    await expect(runtime.update(job)).rejects.toBeInstanceOf(RuntimeUnavailableError)
    await expect(runtime.delete(job.id)).rejects.toBeInstanceOf(RuntimeUnavailableError)
  })

  test('a job no container could be made for is refused before the engine is asked', async () => {
    const noImage = { ...job, replicaSpecs: [{ ...job.replicaSpecs[0]!, image: null }] }
    await expect(runtime.submit(noImage)).rejects.toThrow('needs an image')
  })

  test('an address that cannot be parsed is reported, not thrown', async () => {
    const bad = createDockerRuntime({
      namespace: 'default',
      instanceId: 'x',
      restartBackoffMs: 100,
      dockerHost: 'ssh://me@host',
    })
    await bad.start(new MemorySink())
    expect(bad.unavailable()).toContain('expected unix:///path/to/docker.sock or tcp://host:port')
    await bad.dispose()
  })
})
