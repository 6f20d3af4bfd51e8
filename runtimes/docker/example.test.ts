/**
 * `examples/tf-dist-busybox.json` run end to end through the HTTP API on the
 * Docker runtime: created, Succeeded, and each replica's TF_CONFIG in its log.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import example from '../../examples/tf-dist-busybox.json'
import { startTestServer, type TestServer } from '../../test/helpers/test-server.ts'
import { waitFor } from '../testing/wait-for.ts'
import { createDockerRuntime } from './index.ts'
import { describeWithDocker, findTestEngine, removeAll, testOptions } from './testing/test-engine.ts'

const engine = await findTestEngine()
const API = '/api/v1/experiment'

describeWithDocker('examples/tf-dist-busybox.json on the docker runtime', engine, ({ host }) => {
  let server: TestServer
  let instance = ''
  beforeAll(async () => {
    server = await startTestServer({
      restartBackoffMs: 100,
      makeRuntime: async (instanceId) => {
        instance = instanceId
        return createDockerRuntime(testOptions(host, instanceId))
      },
    })
  })
  afterAll(async () => {
    await server?.stop()
    if (instance) await removeAll(host, instance)
  })

  test('runs to Succeeded with every replica printing its TF_CONFIG', async () => {
    const created = await server.json('POST', API, example)
    expect(created.http).toBe(200)
    const id: string = created.body.result.experimentId
    const done = await waitFor(
      'Succeeded',
      async () => {
        const r = (await server.json('GET', `${API}/${id}`)).body.result
        return r.status === 'Succeeded' || r.status === 'Failed' ? r : null
      },
      30_000,
    )
    expect(done.status).toBe('Succeeded')
    expect(done.finishedTime).not.toBeNull()
    const pods = await waitFor(
      'logs',
      async () => {
        const logs = (await server.json('GET', `${API}/logs/${id}`)).body.result.logContent as Array<{
          podName: string
          podLog: string[]
        }>
        return logs.length === 3 && logs.every((p) => p.podLog.length >= 2) ? logs : null
      },
      10_000,
    )
    for (const [type, index] of [
      ['ps', 0],
      ['worker', 0],
      ['worker', 1],
    ] as const) {
      const pod = pods.find((p) => p.podName === `${id}-${type}-${index}`)!
      expect(pod.podLog[0]).toBe(`${id}-${type}-${index} says hello from periscope`)
      const config = JSON.parse(pod.podLog[1]!.slice('TF_CONFIG='.length))
      expect(config).toEqual({
        cluster: {
          ps: [`${id}-ps-0.default.svc:2222`],
          worker: [`${id}-worker-0.default.svc:2222`, `${id}-worker-1.default.svc:2222`],
        },
        task: { type, index },
        environment: 'cloud',
      })
    }
    expect((await server.json('DELETE', `${API}/${id}`)).http).toBe(200)
  }, 60_000)
})
