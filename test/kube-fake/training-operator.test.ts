import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { type Clients, clientsFor, pytorchJob, recordWatch, tfJob, tfjobs, xgboostJob } from './fixtures.ts'
import { type FakeKube, startFakeKube } from './index.ts'

let fake: FakeKube
let c: Clients
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)

beforeAll(async () => {
  fake = await startFakeKube({ restartBackoffMs: 20 })
  c = clientsFor(fake)
})
afterAll(() => fake.stop())

const finished = (plural: string, name: string) =>
  waitFor(
    `${name} to finish`,
    () => {
      const job = fake.getObject(plural, 'default', name)
      return (
        job?.status?.conditions?.some(
          (x: any) => (x.type === 'Succeeded' || x.type === 'Failed') && x.status === 'True',
        ) && job
      )
    },
    5000,
    10,
  )
const conditions = (job: any) => job.status.conditions.map((x: any) => [x.type, x.status])
const log = (pod: string, container: string, extra: Record<string, unknown> = {}) =>
  c.core.readNamespacedPodLog({ namespace: 'default', name: pod, container, ...extra })

describe('the simulated training operator and kubelet', () => {
  test('a PS:1 Worker:2 TFJob echoing TF_CONFIG succeeds with [Created, Running=False, Succeeded]', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('dist', { PS: { command: 'echo $TF_CONFIG' }, Worker: { replicas: 2, command: 'echo $TF_CONFIG' } }),
    })
    const job = await finished('tfjobs', 'dist')
    expect(conditions(job)).toEqual([
      ['Created', 'True'],
      ['Running', 'False'],
      ['Succeeded', 'True'],
    ])
    const [created, running, succeeded] = job.status.conditions
    expect([created.reason, created.message]).toEqual(['TFJobCreated', 'TFJob dist is created.'])
    expect([running.reason, running.message]).toEqual(['TFJobRunning', 'TFJob default/dist is running.'])
    expect([succeeded.reason, succeeded.message]).toEqual([
      'TFJobSucceeded',
      'TFJob default/dist successfully completed.',
    ])
    expect(job.status.startTime).toMatch(/Z$/)
    expect(job.status.completionTime).toMatch(/Z$/)
    expect(await log('dist-worker-1', 'tensorflow')).toBe(
      '{"cluster":{"ps":["dist-ps-0.default.svc:2222"],' +
        '"worker":["dist-worker-0.default.svc:2222","dist-worker-1.default.svc:2222"]},' +
        '"task":{"type":"worker","index":1},"environment":"cloud"}\n',
    )
    expect(await log('dist-ps-0', 'tensorflow')).toBe(
      '{"cluster":{"ps":["dist-ps-0.default.svc:2222"],' +
        '"worker":["dist-worker-0.default.svc:2222","dist-worker-1.default.svc:2222"]},' +
        '"task":{"type":"ps","index":0},"environment":"cloud"}\n',
    )
  })

  test('pods and headless services carry the operator names, labels, owner and restart policy', async () => {
    const pods = await c.core.listNamespacedPod({
      namespace: 'default',
      labelSelector: 'training.kubeflow.org/job-name=dist',
    })
    expect(pods.items.map((p) => p.metadata?.name).sort()).toEqual(['dist-ps-0', 'dist-worker-0', 'dist-worker-1'])
    const worker0 = pods.items.find((p) => p.metadata?.name === 'dist-worker-0')
    expect(worker0?.metadata?.labels).toEqual({
      'training.kubeflow.org/operator-name': 'tfjob-controller',
      'training.kubeflow.org/job-name': 'dist',
      'training.kubeflow.org/replica-type': 'worker',
      'training.kubeflow.org/replica-index': '0',
      'training.kubeflow.org/job-role': 'master',
    })
    const job = fake.getObject('tfjobs', 'default', 'dist')
    expect(worker0?.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'kubeflow.org/v1',
        kind: 'TFJob',
        name: 'dist',
        uid: job.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ])
    expect(worker0?.spec?.restartPolicy).toBe('Never')
    expect(worker0?.status?.phase).toBe('Succeeded')
    expect(worker0?.status?.containerStatuses?.[0]?.state?.terminated?.reason).toBe('Completed')
    const masters = await c.core.listNamespacedPod({
      namespace: 'default',
      labelSelector: 'training.kubeflow.org/job-name=dist,training.kubeflow.org/job-role=master',
    })
    expect(masters.items.map((p) => p.metadata?.name)).toEqual(['dist-worker-0'])
    const svc = await c.core.readNamespacedService({ namespace: 'default', name: 'dist-worker-1' })
    expect(svc.spec?.clusterIP).toBe('None')
    expect(svc.spec?.ports?.map((p) => [p.name, p.port])).toEqual([['tfjob-port', 2222]])
    expect(svc.metadata?.labels?.['training.kubeflow.org/job-role']).toBeUndefined()
    expect(job.status.replicaStatuses).toEqual({ PS: { succeeded: 1 }, Worker: { succeeded: 2 } })
  })

  test('the operator records events on the job', async () => {
    const events = await c.core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.name=dist' })
    const reasons = events.items.map((e) => e.reason)
    expect(reasons).toContain('SuccessfulCreatePod')
    expect(reasons).toContain('SuccessfulCreateService')
    expect(reasons).toContain('TFJobSucceeded')
    expect(events.items.find((e) => e.reason === 'ExitedWithCode')?.message).toMatch(
      /^Pod: default\.dist-(ps|worker)-\d exited with code 0$/,
    )
  })

  test('a replica always exiting 1 under OnFailure with backoffLimit 3 fails the job and loses its pods', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob(
        'crashy',
        { Worker: { command: 'echo boom; exit 1', restartPolicy: 'OnFailure' } },
        { runPolicy: { backoffLimit: 3 } },
      ),
    })
    const job = await finished('tfjobs', 'crashy')
    expect(conditions(job)).toEqual([
      ['Created', 'True'],
      ['Running', 'False'],
      ['Failed', 'True'],
    ])
    const failed = job.status.conditions.at(-1)
    expect(failed.reason).toBe('TFJobFailed')
    expect(failed.message).toBe('Job crashy has failed because it has reached the specified backoff limit')
    await waitFor(
      'crashy pods deleted',
      () => fake.listObjects('pods', 'default').every((p) => !p.metadata.name.startsWith('crashy-')),
      5000,
      10,
    )
    expect(fake.listObjects('services', 'default').filter((s) => s.metadata.name.startsWith('crashy-'))).toEqual([])
  })

  test('a non-zero exit under Never fails the job naming the replica type', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('broken', { Worker: { replicas: 2, command: 'exit 3' } }),
    })
    const job = await finished('tfjobs', 'broken')
    expect(job.status.conditions.at(-1)).toMatchObject({ type: 'Failed', status: 'True', reason: 'TFJobFailed' })
    expect(job.status.conditions.at(-1).message).toMatch(
      /^TFJob default\/broken has failed because [12] Worker replica\(s\) failed\.$/,
    )
    const pod = await c.core.readNamespacedPod({ namespace: 'default', name: 'broken-worker-0' })
    expect(pod.status?.phase).toBe('Failed')
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' })
  })

  test('scaling Worker replicas with a merge patch adds and removes pods without touching the rest', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('elastic', { Worker: { replicas: 1, command: 'sleep 30' } }),
    })
    const running = (n: number) =>
      waitFor(
        `${n} running elastic pods`,
        () => {
          const pods = fake
            .listObjects('pods', 'default')
            .filter((p) => p.metadata.name.startsWith('elastic-') && !p.metadata.deletionTimestamp)
          return pods.length === n && pods.every((p) => p.status.phase === 'Running') && pods
        },
        5000,
        10,
      )
    const [first] = await running(1)
    const patch = (replicas: number) =>
      c.custom.patchNamespacedCustomObject(
        { ...tfjobs(), name: 'elastic', body: { spec: { tfReplicaSpecs: { Worker: { replicas } } } } },
        merge,
      )
    await patch(3)
    const three = await running(3)
    expect(three.map((p: any) => p.metadata.name).sort()).toEqual([
      'elastic-worker-0',
      'elastic-worker-1',
      'elastic-worker-2',
    ])
    expect(three.find((p: any) => p.metadata.name === 'elastic-worker-0').metadata.uid).toBe(first.metadata.uid)
    await waitFor(
      'the fake to get there',
      () => fake.getObject('tfjobs', 'default', 'elastic').status.replicaStatuses.Worker.active === 3,
      5000,
      10,
    )
    await patch(1)
    await waitFor(
      'scaled down',
      () => fake.listObjects('pods', 'default').filter((p) => p.metadata.name.startsWith('elastic-')).length === 1,
      5000,
      10,
    )
    expect(fake.getObject('pods', 'default', 'elastic-worker-0').metadata.uid).toBe(first.metadata.uid)
    expect(
      fake
        .listObjects('services', 'default')
        .filter((s) => s.metadata.name.startsWith('elastic-'))
        .map((s) => s.metadata.name),
    ).toEqual(['elastic-worker-0'])
    await c.custom.deleteNamespacedCustomObject({ ...tfjobs(), name: 'elastic' })
  })

  test('cleanPodPolicy Running deletes the still-running PS once the job has succeeded', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob(
        'tidy',
        { PS: { command: 'sleep 30' }, Worker: { command: 'echo done' } },
        { runPolicy: { cleanPodPolicy: 'Running' } },
      ),
    })
    const job = await finished('tfjobs', 'tidy')
    expect(job.status.conditions.at(-1).type).toBe('Succeeded')
    await waitFor('PS pod cleaned up', () => !fake.getObject('pods', 'default', 'tidy-ps-0'), 5000, 10)
    expect(fake.getObject('pods', 'default', 'tidy-worker-0')?.status.phase).toBe('Succeeded')
    expect(fake.getObject('tfjobs', 'default', 'tidy').status.replicaStatuses.PS).toEqual({ succeeded: 1 })
  })

  test('a PyTorchJob gets the torch env and succeeds when its master does', async () => {
    const show = 'env | grep -E "^(MASTER_|PET_|WORLD_SIZE|RANK|PYTHONUNBUFFERED)" | sort'
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      plural: 'pytorchjobs',
      body: pytorchJob('ddp', { Master: { command: show }, Worker: { replicas: 2, command: show } }),
    })
    const job = await finished('pytorchjobs', 'ddp')
    expect(job.status.conditions.at(-1)).toMatchObject({
      type: 'Succeeded',
      reason: 'PyTorchJobSucceeded',
      message: 'PyTorchJob ddp is successfully completed.',
    })
    expect(job.status.replicaStatuses.Master.selector).toBe(
      'training.kubeflow.org/job-name=ddp,training.kubeflow.org/operator-name=pytorchjob-controller,' +
        'training.kubeflow.org/replica-type=master',
    )
    await waitFor(
      'worker-1 done',
      () => fake.getObject('pods', 'default', 'ddp-worker-1')?.status.phase === 'Succeeded',
      5000,
      10,
    )
    const env = (text: string) => text.trim().split('\n')
    expect(env(await log('ddp-worker-1', 'pytorch'))).toEqual([
      'MASTER_ADDR=ddp-master-0',
      'MASTER_PORT=23456',
      'PET_MASTER_ADDR=ddp-master-0',
      'PET_MASTER_PORT=23456',
      'PET_NNODES=3',
      'PET_NODE_RANK=2',
      'PET_NPROC_PER_NODE=auto',
      'PYTHONUNBUFFERED=1',
      'RANK=2',
      'WORLD_SIZE=3',
    ])
    const worker = fake.getObject('pods', 'default', 'ddp-worker-0')
    expect(worker.spec.initContainers.map((x: any) => x.name)).toEqual(['init-pytorch'])
    expect(worker.spec.restartPolicy).toBe('OnFailure')
  })

  test('an XGBoostJob gets the rabit env', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      plural: 'xgboostjobs',
      body: xgboostJob('xgb', {
        Master: { command: 'echo $RANK $WORLD_SIZE $MASTER_ADDR $WORKER_ADDRS' },
        Worker: { replicas: 2, command: 'echo $RANK' },
      }),
    })
    const job = await finished('xgboostjobs', 'xgb')
    expect(conditions(job)).toEqual([
      ['Created', 'True'],
      ['Running', 'False'],
      ['Succeeded', 'True'],
    ])
    expect(await log('xgb-master-0', 'xgboost')).toBe('0 3 xgb-master-0 xgb-worker-0,xgb-worker-1\n')
    await waitFor(
      'the fake to get there',
      () => fake.getObject('pods', 'default', 'xgb-worker-1')?.status.phase === 'Succeeded',
      5000,
      10,
    )
    expect(await log('xgb-worker-1', 'xgboost')).toBe('2\n')
  })

  test('suspend deletes the pods and resume recreates them', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('pausable', { Worker: { command: 'sleep 30' } }),
    })
    await waitFor(
      'the fake to get there',
      () => fake.getObject('pods', 'default', 'pausable-worker-0')?.status.phase === 'Running',
      5000,
      10,
    )
    const patch = (suspend: boolean) =>
      c.custom.patchNamespacedCustomObject(
        { ...tfjobs(), name: 'pausable', body: { spec: { runPolicy: { suspend } } } },
        merge,
      )
    await patch(true)
    await waitFor('suspended pod gone', () => !fake.getObject('pods', 'default', 'pausable-worker-0'), 5000, 10)
    const suspended = fake.getObject('tfjobs', 'default', 'pausable')
    expect(conditions(suspended)).toEqual([
      ['Created', 'True'],
      ['Running', 'False'],
      ['Suspended', 'True'],
    ])
    await patch(false)
    await waitFor(
      'resumed pod running',
      () => fake.getObject('pods', 'default', 'pausable-worker-0')?.status.phase === 'Running',
      5000,
      10,
    )
    await waitFor(
      'the fake to get there',
      () => fake.getObject('tfjobs', 'default', 'pausable').status.conditions.at(-1).type === 'Running',
      5000,
      10,
    )
    expect(conditions(fake.getObject('tfjobs', 'default', 'pausable'))).toEqual([
      ['Created', 'True'],
      ['Suspended', 'False'],
      ['Running', 'True'],
    ])
    await c.custom.deleteNamespacedCustomObject({ ...tfjobs(), name: 'pausable' })
  })

  test('activeDeadlineSeconds fails a job that runs too long, on a timer', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('slowpoke', { Worker: { command: 'sleep 30' } }, { runPolicy: { activeDeadlineSeconds: 1 } }),
    })
    const job = await finished('tfjobs', 'slowpoke')
    expect(job.status.conditions.at(-1)).toMatchObject({
      type: 'Failed',
      reason: 'TFJobFailed',
      message: 'Job slowpoke has failed because it was active longer than specified deadline',
    })
    await waitFor('deadline teardown', () => !fake.getObject('pods', 'default', 'slowpoke-worker-0'), 5000, 10)
  })

  test('ttlSecondsAfterFinished deletes the finished job and its pods', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('ephemeral', { Worker: { command: 'true' } }, { runPolicy: { ttlSecondsAfterFinished: 0 } }),
    })
    await waitFor(
      'ttl deletion',
      () =>
        !fake.getObject('tfjobs', 'default', 'ephemeral') && !fake.getObject('pods', 'default', 'ephemeral-worker-0'),
      5000,
      10,
    )
  })

  test('foreground deletion keeps the job, with deletionTimestamp, until its pods are gone', async () => {
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('fg', { Worker: { command: 'sleep 30' } }) })
    await waitFor(
      'the fake to get there',
      () => fake.getObject('pods', 'default', 'fg-worker-0')?.status.phase === 'Running',
      5000,
      10,
    )
    const pending = await c.custom.deleteNamespacedCustomObject({
      ...tfjobs(),
      name: 'fg',
      propagationPolicy: 'Foreground',
    })
    expect(pending.kind).toBe('TFJob')
    expect(pending.metadata.deletionTimestamp).toBeDefined()
    expect(pending.metadata.finalizers).toEqual(['foregroundDeletion'])
    await waitFor('job removed after its pods', () => !fake.getObject('tfjobs', 'default', 'fg'), 3000, 10)
    expect(fake.getObject('pods', 'default', 'fg-worker-0')).toBeUndefined()
  })

  test('a finalizer holds a deleted job until a patch removes it', async () => {
    const body: any = tfJob('held', { Worker: {} })
    body.metadata.finalizers = ['example.com/hold']
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body })
    const pending = await c.custom.deleteNamespacedCustomObject({ ...tfjobs(), name: 'held' })
    expect(pending.metadata.deletionTimestamp).toBeDefined()
    expect(fake.getObject('tfjobs', 'default', 'held')).toBeDefined()
    await c.custom.patchNamespacedCustomObject(
      { ...tfjobs(), name: 'held', body: { metadata: { finalizers: null } } },
      merge,
    )
    expect(fake.getObject('tfjobs', 'default', 'held')).toBeUndefined()
  })
})

describe('the ExitCode restart policy', () => {
  let hooked: FakeKube
  let hc: Clients
  beforeAll(async () => {
    hooked = await startFakeKube({ runPods: false })
    hc = clientsFor(hooked)
  })
  afterAll(() => hooked.stop())

  test('exit >= 128 recreates the pod under the same name with Restarting; exit 1..127 fails the job', async () => {
    await hc.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('retry', { Worker: { restartPolicy: 'ExitCode' } }),
    })
    const first = await waitFor(
      'the fake to get there',
      () =>
        hooked.getObject('pods', 'default', 'retry-worker-0')?.status?.phase === 'Running' &&
        hooked.getObject('pods', 'default', 'retry-worker-0'),
      5000,
      10,
    )
    expect(first.spec.restartPolicy).toBe('Never')
    const rv = hooked.resourceVersion()
    hooked.exitContainer('default', 'retry-worker-0', 'tensorflow', 137)
    const second = await waitFor(
      'pod recreated',
      () => {
        const p = hooked.getObject('pods', 'default', 'retry-worker-0')
        return p && p.metadata.uid !== first.metadata.uid && p.status.phase === 'Running' && p
      },
      5000,
      10,
    )
    expect(second.metadata.name).toBe('retry-worker-0')
    await waitFor(
      'the fake to get there',
      () => hooked.getObject('tfjobs', 'default', 'retry').status.conditions.at(-1).type === 'Running',
      5000,
      10,
    )
    const w = await recordWatch(hc.kc, '/apis/kubeflow.org/v1/namespaces/default/tfjobs', {
      resourceVersion: rv,
      fieldSelector: 'metadata.name=retry',
    })
    await waitFor(
      'the fake to get there',
      () => w.events.some((e) => e.object.status.conditions.at(-1).type === 'Running'),
      5000,
      10,
    )
    w.abort()
    const seen = w.events.map((e) => e.object.status.conditions.map((x: any) => `${x.type}=${x.status}`).join(','))
    expect(seen).toContain('Created=True,Restarting=True')
    expect(seen.at(-1)).toBe('Created=True,Running=True')
    const restarting = w.events
      .find((e) => e.object.status.conditions.at(-1).type === 'Restarting')
      ?.object.status.conditions.at(-1)
    expect(restarting).toMatchObject({
      reason: 'TFJobRestarting',
      message: 'job retry is restarting because Worker replica(s) failed.',
    })
    const events = (
      await hc.core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.name=retry' })
    ).items
    expect(events.map((e) => e.reason)).toContain('TFJobRestarting')
    hooked.exitContainer('default', 'retry-worker-0', 'tensorflow', 1)
    const job = await waitFor(
      'the fake to get there',
      () => {
        const j = hooked.getObject('tfjobs', 'default', 'retry')
        return j.status.conditions.at(-1).type === 'Failed' && j
      },
      5000,
      10,
    )
    expect(job.status.conditions.at(-1).message).toBe('job "retry" is failing because "Worker" replica(s) failed.')
  })
})
