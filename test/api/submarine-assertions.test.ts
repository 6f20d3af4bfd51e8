/**
 * Submarine's own REST assertions that still apply (submarine-semantics.md §9.3),
 * ported: ping, create (JSON and YAML; TensorFlow, PyTorch, with an environment),
 * get, delete, unknown id, logs, and the environment round trip.
 * Not ported: "empty body → HTTP 200" (the issue makes it a 400, tested in
 * envelope-and-errors) and the environment list's duplicate entries (a cache bug).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { ENVIRONMENTS, EXPERIMENTS, expectOk, shutdown } from './fixtures.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
  expectOk(
    await server.json('POST', ENVIRONMENTS, {
      name: 'my-submarine-env',
      dockerImage: 'continuumio/miniconda',
      kernelSpec: {
        name: 'team_default_python_3.7',
        channels: ['defaults'],
        condaDependencies: [],
        pipDependencies: [],
      },
    }),
  )
})
afterAll(() => shutdown(server))

const CMD = 'python /var/tf_mnist/mnist_with_summaries.py --log_dir=/train/log --learning_rate=0.01 --batch_size=150'

const tfJson = {
  meta: { name: 'tf-mnist-json', namespace: 'default', framework: 'TensorFlow', cmd: CMD, envVars: { ENV_1: 'ENV1' } },
  environment: { image: 'apache/submarine:tf-mnist-with-summaries-1.0' },
  spec: {
    Ps: { replicas: 1, resources: 'cpu=1,memory=512M' },
    Worker: { replicas: 1, resources: 'cpu=1,memory=512M' },
  },
}
const tfYaml = `meta:
  name: "tf-mnist-yaml"
  namespace: "default"
  framework: "TensorFlow"
  cmd: "${CMD}"
  envVars:
    ENV_1: "ENV1"
environment:
  image: "apache/submarine:tf-mnist-with-summaries-1.0"
spec:
  Ps:
    replicas: 1
    resources: "cpu=1,memory=512M"
  Worker:
    replicas: 1
    resources: "cpu=1,memory=512M"
`
const ptJson = {
  meta: {
    name: 'pytorch-dist-mnist-gloo',
    namespace: 'default',
    framework: 'PyTorch',
    cmd: 'python /var/mnist.py --backend gloo',
    envVars: { ENV_1: 'ENV1' },
  },
  environment: { image: 'apache/submarine:pytorch-dist-mnist-1.0' },
  spec: {
    Master: { replicas: 1, resources: 'cpu=1,memory=1024M' },
    Worker: { replicas: 1, resources: 'cpu=1,memory=1024M' },
  },
}
const ptYaml = `meta:
  name: pytorch-dist-mnist-gloo-yaml
  namespace: default
  framework: PyTorch
  cmd: python /var/mnist.py --backend gloo
  envVars:
    ENV_1: ENV1
environment:
  image: apache/submarine:pytorch-dist-mnist-1.0
spec:
  Master:
    replicas: 1
    resources: cpu=1,memory=1024M
  Worker:
    replicas: 1
    resources: cpu=1,memory=1024M
`
const tfWithEnv = {
  ...tfJson,
  meta: { ...tfJson.meta, name: 'tf-mnist-with-env' },
  environment: { image: 'apache/submarine:tf-mnist-with-summaries-1.0', name: 'my-submarine-env' },
}

async function post(body: object | string, type: string) {
  const res = await server.request(EXPERIMENTS, {
    method: 'POST',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { http: res.status, body: (await res.json()) as any }
}

test('ping answers code 200 and "Pong"', async () => {
  const res = await server.json('GET', `${EXPERIMENTS}/ping`)
  expect(res.http).toBe(200)
  expect(res.body.code).toBe(200)
  expect(res.body.result).toBe('Pong')
})

const creates: Array<[string, object | string, string, string, string]> = [
  ['TensorFlow, JSON', tfJson, 'application/json', 'tf-mnist-json', 'TensorFlow'],
  ['TensorFlow, YAML', tfYaml, 'application/yaml', 'tf-mnist-yaml', 'TensorFlow'],
  ['PyTorch, JSON', ptJson, 'application/json', 'pytorch-dist-mnist-gloo', 'PyTorch'],
  ['PyTorch, YAML', ptYaml, 'application/yaml', 'pytorch-dist-mnist-gloo-yaml', 'PyTorch'],
  ['TensorFlow with a stored environment, JSON', tfWithEnv, 'application/json', 'tf-mnist-with-env', 'TensorFlow'],
]

describe('create → get → delete', () => {
  for (const [what, body, type, name, framework] of creates) {
    test(`${what}: create is HTTP/code 200, Accepted with uid and acceptedTime; get/delete round-trip it`, async () => {
      const created = await post(body, type)
      expect(created.http).toBe(200)
      expect(created.body.code).toBe(200)
      const e = created.body.result
      expect(e.uid).not.toBeNull()
      expect(e.acceptedTime).not.toBeNull()
      expect(e.status).toBe('Accepted')
      expect(e.spec.meta).toMatchObject({ name, namespace: 'default', framework })

      const got = await server.json('GET', `${EXPERIMENTS}/${e.experimentId}`)
      expect(got.http).toBe(200)
      expect(got.body.code).toBe(200)
      expect([got.body.result.experimentId, got.body.result.uid, got.body.result.acceptedTime]).toEqual([
        e.experimentId,
        e.uid,
        e.acceptedTime,
      ])
      expect(got.body.result.spec.meta).toMatchObject({ name, namespace: 'default', framework })

      const deleted = await server.json('DELETE', `${EXPERIMENTS}/${e.experimentId}`)
      expect(deleted.http).toBe(200)
      expect(deleted.body.code).toBe(200)
      expect(deleted.body.result.experimentId).toBe(e.experimentId)
      expect(deleted.body.result.status).toBe('Deleted')
      const gone = await server.json('GET', `${EXPERIMENTS}/${e.experimentId}`)
      expect([gone.http, gone.body.code]).toEqual([404, 404])
    })
  }
})

describe('round trips (the mocked ExperimentRestApiTest)', () => {
  test('get, list, patch and logs return uid, status, times, id, meta, dockerImage and kernelSpec', async () => {
    const kernelSpec = {
      name: 'team_default_python_3.7',
      channels: ['defaults'],
      condaDependencies: ['python=3.7'],
      pipDependencies: [],
    }
    const body = { ...tfJson, environment: { ...tfJson.environment, dockerImage: 'continuumio/miniconda', kernelSpec } }
    const made = expectOk(await server.json('POST', EXPERIMENTS, body))
    const id = made.experimentId
    const same = (e: any) => {
      expect(e.experimentId).toBe(id)
      expect(e.uid).toBe(made.uid)
      expect(e.acceptedTime).toBe(made.acceptedTime)
      for (const key of ['status', 'createdTime', 'runningTime', 'finishedTime']) expect(key in e).toBe(true)
      expect(e.spec.meta).toMatchObject({ name: 'tf-mnist-json', framework: 'TensorFlow', namespace: 'default' })
      expect(e.spec.environment).toMatchObject({ dockerImage: 'continuumio/miniconda', kernelSpec })
    }
    same(expectOk(await server.json('GET', `${EXPERIMENTS}/${id}`)))
    same((expectOk(await server.json('GET', EXPERIMENTS)) as any[]).find((e) => e.experimentId === id))
    same(expectOk(await server.json('PATCH', `${EXPERIMENTS}/${id}`, body)))
    const logs = expectOk(await server.json('GET', `${EXPERIMENTS}/logs`)) as any[]
    expect(logs.map((l) => l.experimentId)).toContain(id)
    expect(expectOk(await server.json('GET', `${EXPERIMENTS}/logs/${id}`)).experimentId).toBe(id)
  })
})

test('an unknown id is HTTP 404 with code 404, old-style ids included', async () => {
  for (const id of ['experiment_1586156073228_0001', 'experiment-1586156073228-0001']) {
    const res = await server.json('GET', `${EXPERIMENTS}/${id}`)
    expect([res.http, res.body.code]).toEqual([404, 404])
  }
})

test('GET /logs answers HTTP 200', async () => {
  const res = await server.json('GET', `${EXPERIMENTS}/logs`)
  expect(res.http).toBe(200)
  expect(res.body.code).toBe(200)
})

describe('environments (EnvironmentManagerRestApiTest, EnvironmentRestApiTest)', () => {
  test('create, get by name, delete, then GET is 404', async () => {
    const made = await server.json('POST', ENVIRONMENTS, {
      name: 'my-submarine-test-env',
      dockerImage: 'continuumio/anaconda3',
    })
    expect(made.http).toBe(200)
    const got = await server.json('GET', `${ENVIRONMENTS}/my-submarine-test-env`)
    expect(got.http).toBe(200)
    expect(got.body.result.environmentSpec.name).toBe('my-submarine-test-env')
    expect((await server.json('DELETE', `${ENVIRONMENTS}/my-submarine-test-env`)).http).toBe(200)
    const gone = await server.json('GET', `${ENVIRONMENTS}/my-submarine-test-env`)
    expect([gone.http, gone.body.code]).toEqual([404, 404])
  })

  test('create then update foo are 200; get shows the updated dockerImage; delete is 200', async () => {
    expect((await server.json('POST', ENVIRONMENTS, { name: 'foo', dockerImage: 'continuumio/anaconda3' })).http).toBe(
      200,
    )
    expect(
      (await server.json('PATCH', `${ENVIRONMENTS}/foo`, { name: 'foo', dockerImage: 'continuumio/miniconda' })).http,
    ).toBe(200)
    expect(expectOk(await server.json('GET', `${ENVIRONMENTS}/foo`)).environmentSpec.dockerImage).toBe(
      'continuumio/miniconda',
    )
    expect((await server.json('DELETE', `${ENVIRONMENTS}/foo`)).http).toBe(200)
  })
})
