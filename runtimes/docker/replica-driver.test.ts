import { describe, expect, test } from 'bun:test'
import { type ReplicaRef, replicaRefs } from '../../src/runtime/job.ts'
import { jobSpec } from '../testing/job-spec.ts'
import type { DockerClient } from './backend-port.ts'
import type { ContainerSpec } from './backend-spec.ts'
import type { ContainerFacts } from './backend-status.ts'
import { EngineError } from './engine-error.ts'
import { ImagePuller } from './image-puller.ts'
import { DockerReplicaDriver } from './replica-driver.ts'

/** An engine in memory that records each call by name (the calls a launch costs). */
function fakeEngine(opts: { images?: string[]; running?: string[]; created?: string[]; missingNetwork?: boolean }) {
  const calls: string[] = []
  const images = new Set(opts.images ?? [])
  const containers = new Map<string, boolean>([
    ...(opts.created ?? []).map((n): [string, boolean] => [n, false]),
    ...(opts.running ?? []).map((n): [string, boolean] => [n, true]),
  ])
  const facts = (name: string, running: boolean): ContainerFacts => ({
    name,
    status: running ? 'running' : 'created',
    running,
    exitCode: 0,
    oomKilled: false,
    startedAt: '0001-01-01T00:00:00Z',
    finishedAt: '0001-01-01T00:00:00Z',
    created: new Date().toISOString(),
    labels: {},
  })
  const client = {
    host: 'unix:///fake.sock',
    async hasImage(image: string) {
      calls.push('hasImage')
      return images.has(image)
    },
    async pullImage(image: string) {
      calls.push('pullImage')
      images.add(image)
    },
    async createContainer(spec: ContainerSpec) {
      calls.push('createContainer')
      if (containers.has(spec.name)) return 'exists' as const
      if (opts.missingNetwork) throw new EngineError('not-found', `network ${spec.HostConfig.NetworkMode} not found`)
      if (!images.has(spec.Image)) throw new EngineError('not-found', `No such image: ${spec.Image}`)
      containers.set(spec.name, false)
      return 'created' as const
    },
    async inspectContainer(name: string) {
      calls.push('inspectContainer')
      const running = containers.get(name)
      return running === undefined ? null : facts(name, running)
    },
    async startContainer(name: string) {
      calls.push('startContainer')
      if (!containers.has(name)) throw new EngineError('not-found', `No such container: ${name}`)
      containers.set(name, true)
    },
  }
  return { calls, containers, client: client as unknown as DockerClient }
}

const IMAGE = 'example/image:1'
const POD = 'experiment-1-0001-worker-0'

function driverFor(client: DockerClient) {
  const job = jobSpec({ id: 'experiment-1-0001', image: IMAGE })
  const driver = new DockerReplicaDriver({
    job: () => job,
    instanceId: 'test',
    signal: new AbortController().signal,
    stopGraceSeconds: 0,
    connect: async () => client,
    current: () => client,
    images: new ImagePuller(),
    isLive: () => false,
    finished: () => false,
    waiting: () => {},
    log: () => {},
    gitEnv: {},
  })
  const ref: ReplicaRef = replicaRefs(job)[0]!
  expect(ref.pod).toBe(POD)
  return { driver, ref }
}

describe('docker replica driver', () => {
  test('a first launch creates and starts the container, and asks the engine nothing else', async () => {
    const engine = fakeEngine({ images: [IMAGE] })
    const { driver, ref } = driverFor(engine.client)
    await driver.launch(ref, 0)
    expect(engine.calls).toEqual(['createContainer', 'startContainer'])
    expect(engine.containers.get(ref.pod)).toBe(true)
  })

  test('an image the engine does not have is pulled, then the container is created and started', async () => {
    const engine = fakeEngine({})
    const { driver, ref } = driverFor(engine.client)
    await driver.launch(ref, 0)
    expect(engine.calls).toEqual(['createContainer', 'hasImage', 'pullImage', 'createContainer', 'startContainer'])
    expect(engine.containers.get(ref.pod)).toBe(true)
  })

  test('a create refused for another missing object keeps the engine’s words, and pulls nothing', async () => {
    const engine = fakeEngine({ images: [IMAGE], missingNetwork: true })
    const { driver, ref } = driverFor(engine.client)
    await expect(driver.launch(ref, 0)).rejects.toThrow(/^CreateContainerError: network .* not found$/)
    expect(engine.calls).toEqual(['createContainer', 'hasImage'])
  })

  test('a first attempt whose container exists is started, or left alone when it runs', async () => {
    const created = fakeEngine({ images: [IMAGE], created: [POD] })
    const a = driverFor(created.client)
    await a.driver.launch(a.ref, 0)
    expect(created.calls).toEqual(['createContainer', 'inspectContainer', 'startContainer'])
    expect(created.containers.get(a.ref.pod)).toBe(true)

    const running = fakeEngine({ images: [IMAGE], running: [POD] })
    const b = driverFor(running.client)
    await b.driver.launch(b.ref, 0)
    expect(running.calls).toEqual(['createContainer', 'inspectContainer'])
  })

  test('a restart in place starts the same container again, without creating one', async () => {
    const engine = fakeEngine({ images: [IMAGE], created: [POD] }) // attempt 0 ran and exited
    const { driver, ref } = driverFor(engine.client)
    await driver.launch(ref, 1)
    expect(engine.calls).toEqual(['inspectContainer', 'startContainer'])
    expect(engine.containers.get(ref.pod)).toBe(true)
  })
})
