import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ApiextensionsV1Api, ApisApi, CustomObjectsApi, KubeConfig, VersionApi } from '@kubernetes/client-node'
import { apiError, type Clients, clientsFor, tfJob, tfjobs } from './fixtures.ts'
import { type FakeKube, startFakeKube } from './index.ts'

let fake: FakeKube
let c: Clients
const idle = { PS: {} }

beforeAll(async () => {
  fake = await startFakeKube({ runPods: false })
  c = clientsFor(fake)
})
afterAll(() => fake.stop())

describe('fault injection', () => {
  test('failNext answers a burst of 503s with real Status bodies, then the server recovers', async () => {
    fake.failNext({ method: 'GET', pathIncludes: '/tfjobs' }, 503, 2)
    for (let i = 0; i < 2; i++) {
      const err = await apiError(c.custom.listNamespacedCustomObject({ ...tfjobs() }))
      expect(err.code).toBe(503)
      expect(err.status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'ServiceUnavailable', code: 503 })
    }
    const list = await c.custom.listNamespacedCustomObject({ ...tfjobs() })
    expect(list.kind).toBe('TFJobList')
  })

  test('failNext only hits matching requests', async () => {
    fake.failNext({ method: 'POST' }, 500)
    await c.custom.listNamespacedCustomObject({ ...tfjobs() })
    const err = await apiError(c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('unlucky', idle) }))
    expect(err.code).toBe(500)
    expect(err.status.reason).toBe('InternalError')
    expect(fake.getObject('tfjobs', 'default', 'unlucky')).toBeUndefined()
  })

  test('429 carries Retry-After', async () => {
    fake.failNext({ pathIncludes: '/tfjobs' }, 429)
    const err = await apiError(c.custom.listNamespacedCustomObject({ ...tfjobs() }))
    expect(err.code).toBe(429)
    expect(err.headers['retry-after']).toBe('1')
    expect(err.status).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 1 } })
  })

  test('forbid refuses a verb with the authorizer message', async () => {
    fake.forbid('create', 'tfjobs')
    try {
      const err = await apiError(
        c.custom.createNamespacedCustomObject({ ...tfjobs('team-a'), body: tfJob('rbac', idle) }),
      )
      expect(err.code).toBe(403)
      expect(err.status).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'tfjobs.kubeflow.org is forbidden: User "system:serviceaccount:default:periscope" ' +
          'cannot create resource "tfjobs" in API group "kubeflow.org" in the namespace "team-a"',
        reason: 'Forbidden',
        details: { group: 'kubeflow.org', kind: 'tfjobs' },
        code: 403,
      })
      await c.custom.listNamespacedCustomObject({ ...tfjobs('team-a') })
    } finally {
      fake.clearFaults()
    }
  })

  test('forbid on pods/log refuses logs and names the pod', async () => {
    fake.forbid('get', 'pods/log')
    try {
      const err = await apiError(c.core.readNamespacedPodLog({ namespace: 'default', name: 'any-pod', container: 'x' }))
      expect(err.code).toBe(403)
      expect(err.status.message).toBe(
        'pods "any-pod" is forbidden: User "system:serviceaccount:default:periscope" ' +
          'cannot get resource "pods/log" in API group "" in the namespace "default"',
      )
    } finally {
      fake.clearFaults()
    }
  })

  test('denyWebhook makes admission refuse the kind in the webhook message form', async () => {
    fake.denyWebhook('TFJob', 'spec.runPolicy.managedBy: Invalid value: "x": nope')
    try {
      const err = await apiError(c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('denied', idle) }))
      expect(err.code).toBe(403)
      expect(err.status.reason).toBe('Forbidden')
      expect(err.status.message).toBe(
        'admission webhook "validator.tfjob.training-operator.kubeflow.org" denied the request: ' +
          'spec.runPolicy.managedBy: Invalid value: "x": nope',
      )
    } finally {
      fake.clearFaults()
    }
  })

  test('a wrong bearer token is 401, which client-node reports without a body', async () => {
    const kc = new KubeConfig()
    kc.loadFromString(fake.kubeconfig().replace(/token: .*/, 'token: wrong'))
    const err = await apiError(kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ ...tfjobs() }))
    expect(err.code).toBe(401)
    expect(err.status).toBeUndefined()
  })
})

describe('CRD installation', () => {
  test('uninstalling the CRDs removes the jobs and answers 404 for kubeflow.org paths', async () => {
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('before-uninstall', { Worker: {} }) })
    const apis = c.kc.makeApiClient(ApisApi)
    expect((await apis.getAPIVersions()).groups.map((g) => g.name)).toContain('kubeflow.org')
    fake.setInstalled(false)
    try {
      const err = await apiError(c.custom.listNamespacedCustomObject({ ...tfjobs() }))
      expect(err.code).toBe(404)
      expect(err.status).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      })
      expect((await apis.getAPIVersions()).groups.map((g) => g.name)).not.toContain('kubeflow.org')
      const crd = await apiError(
        c.kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: 'tfjobs.kubeflow.org' }),
      )
      expect(crd.status.message).toBe('customresourcedefinitions.apiextensions.k8s.io "tfjobs.kubeflow.org" not found')
      expect(fake.listObjects('tfjobs')).toEqual([])
    } finally {
      fake.setInstalled(true)
    }
    const crd = await c.kc
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: 'tfjobs.kubeflow.org' })
    expect(crd.spec.names.kind).toBe('TFJob')
    expect(crd.status?.conditions?.find((x) => x.type === 'Established')?.status).toBe('True')
    expect((await c.custom.listNamespacedCustomObject({ ...tfjobs() })).items).toEqual([])
  })

  test('installCrds: false starts without the Kubeflow API; /version still answers', async () => {
    const bare = await startFakeKube({ installCrds: false, runPods: false })
    try {
      const kc = new KubeConfig()
      kc.loadFromString(bare.kubeconfig())
      const err = await apiError(
        kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ ...tfjobs(), body: tfJob('x', idle) }),
      )
      expect(err.code).toBe(404)
      expect(err.status.message).toBe('the server could not find the requested resource')
      expect((await kc.makeApiClient(VersionApi).getCode()).major).toBe('1')
    } finally {
      await bare.stop()
    }
  })
})
