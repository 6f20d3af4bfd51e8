/**
 * `periscope serve --runtime kubernetes --kubeconfig …` against the fake API
 * server: an experiment becomes a TFJob, runs to Succeeded, keeps its logs, and
 * DELETE removes the custom resource.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { waitFor } from '../runtimes/testing/wait-for.ts'
import { type ServerProcess, spawnServer } from './helpers/server-process.ts'
import { tempDir } from './helpers/temp-dir.ts'
import { type FakeKube, startFakeKube } from './kube-fake/index.ts'

let fake: FakeKube
let server: ServerProcess
beforeAll(async () => {
  fake = await startFakeKube({ restartBackoffMs: 20 })
  const dir = tempDir()
  const kubeconfig = join(dir, 'kubeconfig')
  writeFileSync(kubeconfig, fake.kubeconfig())
  server = await spawnServer(join(dir, 'data'), ['--runtime', 'kubernetes', '--kubeconfig', kubeconfig])
})
afterAll(async () => {
  await server?.stop()
  await fake?.stop()
})

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  })
  return (await res.json()) as any
}

test('an experiment runs as a TFJob and its logs outlive the custom resource', async () => {
  const created = await call('POST', '/api/v1/experiment', {
    meta: { name: 'on-k8s', framework: 'TensorFlow', cmd: 'echo "task $TF_CONFIG"' },
    environment: { image: 'busybox' },
    spec: {
      Ps: { replicas: 1, resources: 'cpu=1,memory=64M' },
      Worker: { replicas: 1, resources: 'cpu=1,memory=64M' },
    },
  })
  expect(created.result.status).toBe('Accepted')
  const id: string = created.result.experimentId
  const cr = fake.getObject('tfjobs', 'default', id)
  expect(cr.spec.tfReplicaSpecs.PS.template.spec.containers[0]).toMatchObject({
    name: 'tensorflow',
    image: 'busybox',
    command: ['sh', '-c', 'echo "task $TF_CONFIG"'],
  })
  expect(cr.spec.runPolicy).toMatchObject({ backoffLimit: 3, cleanPodPolicy: 'Running' })

  const e = await waitFor(
    'the experiment to finish',
    async () => {
      const r = (await call('GET', `/api/v1/experiment/${id}`)).result
      return r.status === 'Succeeded' || r.status === 'Failed' ? r : null
    },
    10_000,
  )
  expect(e.status).toBe('Succeeded')
  expect([e.createdTime, e.runningTime, e.finishedTime].every((t) => typeof t === 'string')).toBe(true)

  const logs = (await call('GET', `/api/v1/experiment/logs/${id}`)).result.logContent
  expect(logs.map((l: any) => l.podName)).toEqual([`${id}-ps-0`, `${id}-worker-0`])
  expect(JSON.parse(logs[1].podLog[0].slice('task '.length)).task).toEqual({ type: 'worker', index: 0 })

  expect((await call('DELETE', `/api/v1/experiment/${id}`)).result.status).toBe('Deleted')
  expect(fake.getObject('tfjobs', 'default', id)).toBeUndefined()
}, 60_000)
