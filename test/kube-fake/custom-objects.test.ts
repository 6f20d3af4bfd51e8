import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { apiError, type Clients, clientsFor, tfJob, tfjobs } from './fixtures.ts'
import { type FakeKube, startFakeKube } from './index.ts'

let fake: FakeKube
let c: Clients
const idle = { PS: { command: 'sleep 30' } }

beforeAll(async () => {
  fake = await startFakeKube({ runPods: false })
  c = clientsFor(fake)
})
afterAll(() => fake.stop())

describe('custom objects through client-node', () => {
  test('create assigns uid, creationTimestamp, resourceVersion and generation 1, and returns 201', async () => {
    const created = await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('create-me', idle) })
    expect(created.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(created.metadata.resourceVersion).toMatch(/^\d+$/)
    expect(created.metadata.generation).toBe(1)
    expect(created.metadata.namespace).toBe('default')
    expect(created.status).toBeUndefined()
    const got = await c.custom.getNamespacedCustomObject({ ...tfjobs(), name: 'create-me' })
    expect(got.metadata.uid).toBe(created.metadata.uid)
  })

  test('a duplicate name is 409 AlreadyExists with a real Status body', async () => {
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('dup', idle) })
    const err = await apiError(c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('dup', idle) }))
    expect(err.code).toBe(409)
    expect(err.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'tfjobs.kubeflow.org "dup" already exists',
      reason: 'AlreadyExists',
      details: { name: 'dup', group: 'kubeflow.org', kind: 'tfjobs' },
      code: 409,
    })
  })

  test('get of a missing job is 404 NotFound', async () => {
    const err = await apiError(c.custom.getNamespacedCustomObject({ ...tfjobs(), name: 'nope' }))
    expect(err.code).toBe(404)
    expect(err.status.message).toBe('tfjobs.kubeflow.org "nope" not found')
    expect(err.status.reason).toBe('NotFound')
    expect(err.status.details).toEqual({ name: 'nope', group: 'kubeflow.org', kind: 'tfjobs' })
  })

  test('fieldValidation=Strict rejects an unknown field as a strict decoding error', async () => {
    const body = tfJob('strict', idle) as any
    body.spec.foo = 1
    body.spec.tfReplicaSpecs.PS.template.spec.containers[0].bogus = 'x'
    const err = await apiError(c.custom.createNamespacedCustomObject({ ...tfjobs(), body, fieldValidation: 'Strict' }))
    expect(err.code).toBe(400)
    expect(err.status.reason).toBe('BadRequest')
    expect(err.status.message).toBe(
      'TFJob in version "v1" cannot be handled as a TFJob: strict decoding error: unknown field "spec.foo", ' +
        'unknown field "spec.tfReplicaSpecs.PS.template.spec.containers[0].bogus"',
    )
    expect(fake.getObject('tfjobs', 'default', 'strict')).toBeUndefined()
  })

  test('without Strict an unknown field is pruned, not stored', async () => {
    const body = tfJob('lenient', idle) as any
    body.spec.foo = 1
    const created = await c.custom.createNamespacedCustomObject({ ...tfjobs(), body })
    expect(created.spec.foo).toBeUndefined()
    expect(fake.getObject('tfjobs', 'default', 'lenient').spec.foo).toBeUndefined()
  })

  test('a wrong type is 422 Invalid naming the field, with causes', async () => {
    const body = tfJob('typed', idle) as any
    body.spec.runPolicy = { backoffLimit: 'three' }
    const err = await apiError(c.custom.createNamespacedCustomObject({ ...tfjobs(), body, fieldValidation: 'Strict' }))
    expect(err.code).toBe(422)
    expect(err.status.reason).toBe('Invalid')
    expect(err.status.message).toBe(
      'TFJob.kubeflow.org "typed" is invalid: spec.runPolicy.backoffLimit: Invalid value: "string": ' +
        'spec.runPolicy.backoffLimit in body must be of type integer: "string"',
    )
    expect(err.status.details.causes).toEqual([
      {
        reason: 'FieldValueTypeInvalid',
        message: 'Invalid value: "string": spec.runPolicy.backoffLimit in body must be of type integer: "string"',
        field: 'spec.runPolicy.backoffLimit',
      },
    ])
  })

  test('the admission webhook denies a job without a tensorflow container with 403', async () => {
    const body = tfJob('nocontainer', idle) as any
    body.spec.tfReplicaSpecs.PS.template.spec.containers[0].name = 'main'
    const err = await apiError(c.custom.createNamespacedCustomObject({ ...tfjobs(), body }))
    expect(err.code).toBe(403)
    expect(err.status.reason).toBe('Forbidden')
    expect(err.status.message).toBe(
      'admission webhook "validator.tfjob.training-operator.kubeflow.org" denied the request: ' +
        'spec.tfReplicaSpecs[PS].template.spec.containers: Required value: ' +
        'must have at least one container with name tensorflow',
    )
  })

  test('list returns TFJobList with the list resourceVersion, and filters by label selector', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: { ...tfJob('sel-a', idle), metadata: { name: 'sel-a', labels: { team: 'a', tier: 'x' } } },
    })
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: { ...tfJob('sel-b', idle), metadata: { name: 'sel-b', labels: { team: 'b' } } },
    })
    const all = await c.custom.listNamespacedCustomObject({ ...tfjobs() })
    expect(all.kind).toBe('TFJobList')
    expect(all.apiVersion).toBe('kubeflow.org/v1')
    expect(all.metadata.resourceVersion).toBe(fake.resourceVersion())
    const names = (sel: string) =>
      c.custom
        .listNamespacedCustomObject({ ...tfjobs(), labelSelector: sel })
        .then((l: any) => l.items.map((i: any) => i.metadata.name))
    expect(await names('team=a')).toEqual(['sel-a'])
    expect(await names('team in (a,b),team!=b')).toEqual(['sel-a'])
    expect(await names('team,team notin (a)')).toEqual(['sel-b'])
    expect(await names('team==b')).toEqual(['sel-b'])
    expect(await names('tier')).toEqual(['sel-a'])
    expect(await names('team,!tier')).toEqual(['sel-b'])
    const byName = await c.custom.listNamespacedCustomObject({ ...tfjobs(), fieldSelector: 'metadata.name=sel-b' })
    expect(byName.items.map((i: any) => i.metadata.name)).toEqual(['sel-b'])
  })

  test('merge patch changes the spec, bumps generation and resourceVersion', async () => {
    const created = await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('merge', idle) })
    const patched = await c.custom.patchNamespacedCustomObject(
      { ...tfjobs(), name: 'merge', body: { spec: { runPolicy: { backoffLimit: 4 } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    expect(patched.spec.runPolicy).toEqual({ backoffLimit: 4 })
    expect(patched.metadata.generation).toBe(2)
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion))
    const labelled = await c.custom.patchNamespacedCustomObject(
      { ...tfjobs(), name: 'merge', body: { metadata: { labels: { a: 'b' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    expect(labelled.metadata.generation).toBe(2)
    expect(labelled.metadata.labels).toEqual({ a: 'b' })
  })

  test('json patch (the client default) applies ops, and a failed test op is 422', async () => {
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('jsonpatch', idle) })
    const patched = await c.custom.patchNamespacedCustomObject({
      ...tfjobs(),
      name: 'jsonpatch',
      body: [
        { op: 'test', path: '/spec/tfReplicaSpecs/PS/replicas', value: 1 },
        { op: 'replace', path: '/spec/tfReplicaSpecs/PS/replicas', value: 2 },
      ],
    })
    expect(patched.spec.tfReplicaSpecs.PS.replicas).toBe(2)
    const err = await apiError(
      c.custom.patchNamespacedCustomObject({
        ...tfjobs(),
        name: 'jsonpatch',
        body: [{ op: 'test', path: '/spec/tfReplicaSpecs/PS/replicas', value: 1 }],
      }),
    )
    expect(err.code).toBe(422)
    expect(err.status.details.causes[0].message).toBe(
      'testing value /spec/tfReplicaSpecs/PS/replicas failed: test failed',
    )
  })

  test('strategic merge patch is refused on custom resources with 415', async () => {
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('smp', idle) })
    const err = await apiError(
      c.custom.patchNamespacedCustomObject(
        { ...tfjobs(), name: 'smp', body: { spec: {} } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    )
    expect(err.code).toBe(415)
    expect(err.status.reason).toBe('UnsupportedMediaType')
  })

  test('PUT with a stale resourceVersion is 409 Conflict; the main resource ignores status', async () => {
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('put', idle) })
    const current = await c.custom.getNamespacedCustomObject({ ...tfjobs(), name: 'put' })
    const fresh = await c.custom.replaceNamespacedCustomObject({
      ...tfjobs(),
      name: 'put',
      body: {
        ...current,
        spec: { ...current.spec, runPolicy: { backoffLimit: 1 } },
        status: { conditions: [{ type: 'Failed', status: 'True' }] },
      },
    })
    expect(fresh.metadata.generation).toBe(2)
    expect(fresh.spec.runPolicy).toEqual({ backoffLimit: 1 })
    expect(fresh.status.conditions.map((x: any) => x.type)).toEqual(['Created'])
    const err = await apiError(c.custom.replaceNamespacedCustomObject({ ...tfjobs(), name: 'put', body: current }))
    expect(err.code).toBe(409)
    expect(err.status.reason).toBe('Conflict')
    expect(err.status.message).toBe(
      'Operation cannot be fulfilled on tfjobs.kubeflow.org "put": the object has been modified; ' +
        'please apply your changes to the latest version and try again',
    )
  })

  test('the status subresource changes only status and leaves generation alone', async () => {
    const created = await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('status-only', idle) })
    const current = await c.custom.getNamespacedCustomObject({ ...tfjobs(), name: 'status-only' })
    const updated = await c.custom.patchNamespacedCustomObjectStatus(
      {
        ...tfjobs(),
        name: 'status-only',
        body: { spec: { runPolicy: { backoffLimit: 9 } }, status: { startTime: '2020-01-01T00:00:00Z' } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    expect(updated.status.startTime).toBe('2020-01-01T00:00:00Z')
    expect(updated.spec.runPolicy).toBeUndefined()
    expect(updated.metadata.generation).toBe(created.metadata.generation)
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(current.metadata.resourceVersion))
  })

  test('delete returns the Success Status with details and cascades to owned pods and services', async () => {
    const created = await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('gone', { Worker: { replicas: 2 } }),
    })
    const pods = () =>
      fake.listObjects('pods', 'default').filter((p) => p.metadata.ownerReferences?.[0]?.uid === created.metadata.uid)
    await waitFor('both pods', () => pods().length >= 2, 10_000, 5)
    expect(fake.listObjects('services', 'default').filter((s) => s.metadata.name.startsWith('gone-')).length).toBe(2)
    const res = await c.custom.deleteNamespacedCustomObject({ ...tfjobs(), name: 'gone' })
    expect(res).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'gone', group: 'kubeflow.org', kind: 'tfjobs', uid: created.metadata.uid },
    })
    await waitFor('the pods to go', () => pods().length === 0, 10_000, 5)
    expect(fake.listObjects('services', 'default').filter((s) => s.metadata.name.startsWith('gone-'))).toEqual([])
    const err = await apiError(c.custom.deleteNamespacedCustomObject({ ...tfjobs(), name: 'gone' }))
    expect(err.code).toBe(404)
  })

  test('the cluster-wide list spans namespaces', async () => {
    await c.custom.createNamespacedCustomObject({ ...tfjobs('team-a'), body: tfJob('elsewhere', idle) })
    const list = await c.custom.listClusterCustomObject({ group: 'kubeflow.org', version: 'v1', plural: 'tfjobs' })
    const where = list.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`)
    expect(where).toContain('team-a/elsewhere')
    expect(where).toContain('default/create-me')
  })

  test('a Strict merge patch adding an unknown field is 422 on the patch, as the API server words it', async () => {
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('strict-patch', idle) })
    const err = await apiError(
      c.custom.patchNamespacedCustomObject(
        { ...tfjobs(), name: 'strict-patch', body: { spec: { bogus: true } }, fieldValidation: 'Strict' },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    )
    expect(err.code).toBe(422)
    expect(err.status.reason).toBe('Invalid')
    expect(err.status.message).toMatch(
      /^ "" is invalid: patch: Invalid value: ".*": strict decoding error: unknown field "spec.bogus"$/,
    )
    expect(fake.getObject('tfjobs', 'default', 'strict-patch').spec.bogus).toBeUndefined()
  })

  test('PUT without a resourceVersion is 422', async () => {
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('put-norv', idle) })
    const err = await apiError(
      c.custom.replaceNamespacedCustomObject({ ...tfjobs(), name: 'put-norv', body: tfJob('put-norv', idle) }),
    )
    expect(err.code).toBe(422)
    expect(err.status.message).toBe(
      'TFJob.kubeflow.org "put-norv" is invalid: ' +
        'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    )
  })

  test('generateName gets a random suffix', async () => {
    const created = await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: { ...tfJob('', idle), metadata: { generateName: 'gen-' } },
    })
    expect(created.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/)
  })

  test('limit and continue page through a list at one resourceVersion', async () => {
    for (const n of [1, 2, 3]) {
      await c.custom.createNamespacedCustomObject({ ...tfjobs('paged'), body: tfJob(`page-${n}`, idle) })
    }
    const first = await c.custom.listNamespacedCustomObject({ ...tfjobs('paged'), limit: 2 })
    expect(first.items.map((i: any) => i.metadata.name)).toEqual(['page-1', 'page-2'])
    expect(first.metadata.remainingItemCount).toBe(1)
    const rest = await c.custom.listNamespacedCustomObject({
      ...tfjobs('paged'),
      limit: 2,
      _continue: first.metadata.continue,
    })
    expect(rest.items.map((i: any) => i.metadata.name)).toEqual(['page-3'])
    expect(rest.metadata.continue).toBeUndefined()
  })
})
