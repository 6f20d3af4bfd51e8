/**
 * The server reconciles with the Docker runtime each time its engine becomes
 * reachable, not only when it is reachable at boot: a server started while the
 * engine is away fails the experiment whose job was removed meanwhile, removes
 * the job of an experiment deleted meanwhile, and picks up the job that survived.
 */
import { afterAll, expect, test } from 'bun:test'
import { createDockerRuntime, parseDockerHost } from '../runtimes/docker/index.ts'
import {
  describeWithDocker,
  type EngineProxy,
  findTestEngine,
  removeAll,
  startProxy,
  testOptions,
} from '../runtimes/docker/testing/test-engine.ts'
import { waitFor } from '../runtimes/testing/wait-for.ts'
import { tempDir } from './helpers/temp-dir.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'

const engine = await findTestEngine()

describeWithDocker('reconciling with the docker runtime', engine, ({ host, client }) => {
  const instances = new Set<string>()
  let proxy: EngineProxy | null = null
  let server: TestServer | null = null
  afterAll(async () => {
    await server?.stop()
    proxy?.close()
    for (const id of instances) await removeAll(host, id)
  })

  test('happens once an engine away at boot answers: vanished job fails, orphan goes, survivor adopted', async () => {
    const real = parseDockerHost(host)
    if (real.kind !== 'socket') return // the proxy relays a Unix socket
    const path = `/tmp/periscope-proxy-${crypto.randomUUID().slice(0, 8)}.sock`
    const dataDir = tempDir()
    const boot = () =>
      startTestServer({
        dataDir,
        restartBackoffMs: 100,
        makeRuntime: async (instanceId) => {
          instances.add(instanceId)
          return createDockerRuntime(testOptions(`unix://${path}`, instanceId, { resyncMs: 1000 }))
        },
      })
    const experiment = (name: string, cmd: string) => ({
      meta: { name, framework: 'TensorFlow', cmd },
      environment: { image: 'periscope-test/busybox:latest' },
      spec: { Worker: { replicas: 1 } },
    })
    const get = async (id: string) => (await server!.json('GET', `/api/v1/experiment/${id}`)).body.result
    const create = async (name: string, cmd: string): Promise<string> =>
      (await server!.json('POST', '/api/v1/experiment', experiment(name, cmd))).body.result.experimentId
    const ownedOnEngine = async (id: string) =>
      (await client.listContainers([`periscope.io/experiment-id=${id}`])).length > 0 ||
      (await client.inspectNetwork(id)) !== null

    proxy = await startProxy(path, real.socketPath)
    server = await boot()
    const vanished = await create('vanished', 'echo up; sleep 120')
    const orphan = await create('orphan', 'echo up; sleep 120')
    const survivor = await create('survivor', 'echo a; sleep 6; echo b')
    for (const id of [vanished, orphan, survivor])
      await waitFor(`${id} running`, async () => (await get(id)).status === 'Running', 20_000)
    await server.stop() // jobs keep running
    server = null

    proxy.close()
    server = await boot()
    expect(server.runtime.unavailable()).toContain(path)
    expect((await server.request('/readyz')).status).toBe(503)
    // While the engine is away: the job of one experiment is removed behind periscope's back,
    // and another experiment is deleted (its job cannot be removed yet).
    for (const c of await client.listContainers([`periscope.io/experiment-id=${vanished}`]))
      await client.removeContainer(c.name)
    await client.removeNetwork(vanished)
    expect(await ownedOnEngine(vanished)).toBe(false)
    expect((await server.json('DELETE', `/api/v1/experiment/${orphan}`)).body.result.status).toBe('Deleted')
    await Bun.sleep(600) // a window in which nothing may happen: a few supervisor rounds while the engine is away
    expect(await get(vanished)).toMatchObject({ status: 'Running' })
    expect(await ownedOnEngine(orphan)).toBe(true)

    proxy = await startProxy(path, real.socketPath)
    const failed = await waitFor(
      'the vanished job to fail',
      async () => ((await get(vanished)).status === 'Failed' ? get(vanished) : null),
      20_000,
    )
    expect(failed.statusMessage).toBe(
      'The job disappeared from the docker runtime after the server restarted; ' +
        'it was removed outside periscope or lost with its host',
    )
    expect(failed.finishedTime).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(server.logged).toContain(`experiment ${vanished}: Running → Failed (${failed.statusMessage})`)
    await waitFor('the orphan removed from the engine', async () => !(await ownedOnEngine(orphan)), 20_000)
    const done = await waitFor(
      'the survivor to finish',
      async () => (['Succeeded', 'Failed'].includes((await get(survivor)).status) ? get(survivor) : null),
      20_000,
    )
    expect(done.status).toBe('Succeeded')
    const logs = (await server.json('GET', `/api/v1/experiment/logs/${survivor}`)).body.result.logContent
    expect(logs[0].podLog).toEqual(['a', 'b'])
    expect((await server.request('/readyz')).status).toBe(200)
  }, 90_000)

  test('happens again whenever the engine comes back: a job removed meanwhile fails and is not recreated', async () => {
    const real = parseDockerHost(host)
    if (real.kind !== 'socket') return
    await server?.stop()
    const path = `/tmp/periscope-proxy-${crypto.randomUUID().slice(0, 8)}.sock`
    proxy = await startProxy(path, real.socketPath)
    server = await startTestServer({
      restartBackoffMs: 100,
      makeRuntime: async (instanceId) => {
        instances.add(instanceId)
        return createDockerRuntime(testOptions(`unix://${path}`, instanceId, { resyncMs: 1000 }))
      },
    })
    const spec = {
      meta: { name: 'removed', framework: 'TensorFlow', cmd: 'echo up; sleep 120' },
      environment: { image: 'periscope-test/busybox:latest' },
      spec: { Worker: { replicas: 1 } },
    }
    const id: string = (await server.json('POST', '/api/v1/experiment', spec)).body.result.experimentId
    const get = async () => (await server!.json('GET', `/api/v1/experiment/${id}`)).body.result
    await waitFor('running', async () => (await get()).status === 'Running', 20_000)

    proxy.close()
    await waitFor('engine seen down', () => server!.runtime.unavailable() !== null, 10_000)
    for (const c of await client.listContainers([`periscope.io/experiment-id=${id}`]))
      await client.removeContainer(c.name)
    await client.removeNetwork(id)
    proxy = await startProxy(path, real.socketPath)

    const failed = await waitFor(
      'the removed job to fail',
      async () => ((await get()).status === 'Failed' ? get() : null),
      20_000,
    )
    expect(failed.statusMessage).toBe(
      'The job disappeared from the docker runtime while the runtime could not be reached; ' +
        'it was removed outside periscope or lost with its host',
    )
    await Bun.sleep(1500) // a window in which nothing may happen: a re-list or two, and nothing of the job comes back
    expect(await client.listContainers([`periscope.io/experiment-id=${id}`])).toEqual([])
    expect(await client.inspectNetwork(id)).toBeNull()
    expect((await get()).status).toBe('Failed')
  }, 60_000)
})
