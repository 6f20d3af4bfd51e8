import { describe, expect, test } from 'bun:test'
import { RuntimeRejectedError } from '../../src/errors.ts'
import type { CodeSync, JobSpec, ReplicaSpec, Resources } from '../../src/runtime/job.ts'
import { KUBEFLOW_CRDS as CRDS } from '../../test/fixtures/paths.ts'
import { jobSpec } from '../testing/job-spec.ts'
import { containerResources, jobResource, type KubeflowJob } from './backend-spec.ts'
import { JOB_KINDS } from './job-kinds.ts'
import { loadCrdSchema, validateResource } from './testing/crd-schema.ts'

const options = { instanceId: 'inst-1' }

function replica(overrides: Partial<ReplicaSpec> = {}): ReplicaSpec {
  return {
    type: 'Worker',
    replicas: 1,
    image: 'busybox:1.36',
    command: 'echo hi',
    env: [],
    resources: {},
    ...overrides,
  }
}

function makeJob(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    ...jobSpec({ id: 'experiment-1700000000000-0001', name: 'mnist', namespace: 'team-a' }),
    replicaSpecs: [
      replica({ type: 'Ps' }),
      replica({ type: 'Worker', replicas: 2, env: [['A', '1']], resources: { cpu: '1', memory: '1024M', gpu: 1 } }),
    ],
    ...overrides,
  }
}

const code: CodeSync = {
  url: 'https://git.example.com/team/repo.git',
  branch: 'dev',
  username: 'alice',
  password: 'hunter2-secret',
  trustCerts: false,
}

const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value)

describe('jobResource', () => {
  test('builds a TFJob named after the experiment with the operator replica keys', () => {
    const r = jobResource(makeJob(), options)
    expect(r.apiVersion).toBe('kubeflow.org/v1')
    expect(r.kind).toBe('TFJob')
    expect(r.metadata.name).toBe('experiment-1700000000000-0001')
    expect(r.metadata.namespace).toBe('team-a')
    expect(Object.keys(r.spec.tfReplicaSpecs!)).toEqual(['PS', 'Worker'])
    expect(r.spec.runPolicy).toEqual({ backoffLimit: 3, cleanPodPolicy: 'Running' })
  })

  test('writes a deadline to runPolicy.activeDeadlineSeconds, and none when there is none', () => {
    const r = jobResource(makeJob({ activeDeadlineSeconds: 90 }), options)
    expect(r.spec.runPolicy).toEqual({ backoffLimit: 3, cleanPodPolicy: 'Running', activeDeadlineSeconds: 90 })
    expect('activeDeadlineSeconds' in jobResource(makeJob(), options).spec.runPolicy).toBe(false)
  })

  test('gives every replica one framework-named container running the command through sh -c', () => {
    const worker = jobResource(makeJob(), options).spec.tfReplicaSpecs!.Worker!
    expect(worker.replicas).toBe(2)
    expect(worker.restartPolicy).toBe('OnFailure')
    expect(worker.template.spec.containers).toEqual([
      {
        name: 'tensorflow',
        image: 'busybox:1.36',
        command: ['sh', '-c', 'echo hi'],
        env: [{ name: 'A', value: '1' }],
        resources: {
          requests: { cpu: '1', memory: '1024M', 'nvidia.com/gpu': '1' },
          limits: { cpu: '1', memory: '2048M', 'nvidia.com/gpu': '1' },
        },
      },
    ])
  })

  test('labels the resource and the pod templates as this server instance and keeps Istio out', () => {
    const r = jobResource(makeJob(), options)
    const owner = { 'periscope.io/experiment-id': 'experiment-1700000000000-0001', 'periscope.io/instance': 'inst-1' }
    expect(r.metadata.labels).toEqual({ ...owner, 'submarine-experiment-name': 'mnist' })
    expect(r.metadata.annotations).toEqual({ 'periscope.io/experiment-name': 'mnist' })
    for (const spec of Object.values(r.spec.tfReplicaSpecs!)) {
      expect(spec.template.metadata.labels).toEqual(owner)
      expect(spec.template.metadata.annotations).toEqual({ 'sidecar.istio.io/inject': 'false' })
    }
  })

  test('keeps a name that is not a valid label value in the annotation only', () => {
    const r = jobResource(makeJob({ name: 'my experiment #1' }), options)
    expect(r.metadata.labels['submarine-experiment-name']).toBeUndefined()
    expect(r.metadata.annotations['periscope.io/experiment-name']).toBe('my experiment #1')
  })

  test('uses the PyTorch and XGBoost replica maps and container names', () => {
    const pt = jobResource(
      makeJob({ framework: 'PyTorch', replicaSpecs: [replica({ type: 'Master' }), replica()] }),
      options,
    )
    expect(pt.kind).toBe('PyTorchJob')
    expect(Object.keys(pt.spec.pytorchReplicaSpecs!)).toEqual(['Master', 'Worker'])
    expect(pt.spec.pytorchReplicaSpecs!.Master!.template.spec.containers[0]!.name).toBe('pytorch')
    const xgb = jobResource(makeJob({ framework: 'XGBoost', replicaSpecs: [replica({ type: 'Master' })] }), options)
    expect(xgb.kind).toBe('XGBoostJob')
    expect(xgb.spec.xgbReplicaSpecs!.Master!.template.spec.containers[0]!.name).toBe('xgboost')
  })

  test('omits env and resources when none are given', () => {
    const [container] = jobResource(makeJob({ replicaSpecs: [replica()] }), options).spec.tfReplicaSpecs!.Worker!
      .template.spec.containers
    expect(container).toEqual({ name: 'tensorflow', image: 'busybox:1.36', command: ['sh', '-c', 'echo hi'] })
  })

  test('refuses a replica without an image rather than sending a pod that cannot start', () => {
    expect(() => jobResource(makeJob({ replicaSpecs: [replica({ image: null })] }), options)).toThrow(
      RuntimeRejectedError,
    )
    expect(() => jobResource(makeJob({ replicaSpecs: [replica({ image: null })] }), options)).toThrow(
      'replica Worker has no image',
    )
  })
})

describe('memory limit', () => {
  // Every quantity of the shared table goes through containerResources in test/api/quantities.test.ts.
  test('is twice the request in the same unit', () => {
    expect(containerResources({ memory: '1Gi' })).toEqual({ requests: { memory: '1Gi' }, limits: { memory: '2Gi' } })
    expect(containerResources({ cpu: '500m', memory: '1.5G' })).toEqual({
      requests: { cpu: '500m', memory: '1.5G' },
      limits: { cpu: '500m', memory: '3G' },
    })
  })

  test('refuses text that is not a quantity instead of inventing a limit', () => {
    expect(() => containerResources({ memory: 'lots' })).toThrow('memory "lots" is not a number')
  })

  test('ignores zero GPUs', () => {
    expect(containerResources({ gpu: 0 })).toBeUndefined()
  })
})

describe('every built resource validates against the operator CRDs', () => {
  const cases: Array<[string, JobSpec]> = [
    ['TFJob PS/Worker with resources', makeJob()],
    ['TFJob with a deadline', makeJob({ activeDeadlineSeconds: 3600 })],
    [
      'TFJob Chief/Evaluator/Master',
      makeJob({
        replicaSpecs: [replica({ type: 'Chief' }), replica({ type: 'Evaluator' }), replica({ type: 'Master' })],
      }),
    ],
    [
      'PyTorchJob',
      makeJob({
        framework: 'PyTorch',
        replicaSpecs: [replica({ type: 'Master', resources: { memory: '2Gi' } }), replica({ replicas: 3 })],
      }),
    ],
    [
      'XGBoostJob',
      makeJob({
        framework: 'XGBoost',
        replicaSpecs: [replica({ type: 'Master', resources: { cpu: '500m' } }), replica({ env: [['X', 'y']] })],
      }),
    ],
  ]
  cases.push([
    'a TFJob with code sync (init container, emptyDir, workingDir)',
    makeJob({ code: { ...code, trustCerts: true } }),
  ])
  for (const [title, job] of cases) {
    test(title, async () => {
      const resource = jobResource(job, options)
      const crd = JOB_KINDS.find((k) => k.kind === resource.kind)!
      const { kind, schema } = await loadCrdSchema(`${CRDS}/kubeflow.org_${crd.plural}.yaml`)
      expect(kind).toBe(resource.kind)
      expect(validateResource(schema, resource)).toEqual([])
    })
  }

  test("code sync: Submarine's code-localizer initContainer and code-dir emptyDir, the command in the checkout", () => {
    const r = jobResource(makeJob({ code }), { ...options, gitImage: 'registry.local/git-sync:3.1.6' })
    const pod = r.spec.tfReplicaSpecs!.Worker!.template.spec
    expect(pod.initContainers).toEqual([
      {
        name: 'code-localizer',
        image: 'registry.local/git-sync:3.1.6',
        env: [
          { name: 'GIT_SYNC_REPO', value: code.url },
          { name: 'GIT_SYNC_ROOT', value: '/code' },
          { name: 'GIT_SYNC_DEPTH', value: '1' },
          { name: 'GIT_SYNC_DEST', value: 'current' },
          { name: 'GIT_SYNC_ONE_TIME', value: 'true' },
          { name: 'GIT_SYNC_BRANCH', value: 'dev' },
          { name: 'GIT_SYNC_USERNAME', value: 'alice' },
          { name: 'GIT_SYNC_PASSWORD', value: 'hunter2-secret' },
        ],
        volumeMounts: [{ name: 'code-dir', mountPath: '/code' }],
        terminationMessagePolicy: 'FallbackToLogsOnError',
      },
    ])
    expect(pod.volumes).toEqual([{ name: 'code-dir', emptyDir: {} }])
    const main = pod.containers[0]!
    expect(main.workingDir).toBe('/code/current')
    expect(main.volumeMounts).toEqual([{ name: 'code-dir', mountPath: '/code' }])
    expect(main.env?.at(-1)).toEqual({ name: 'CODE_PATH', value: '/code' })
    // Only the init container has the credentials; labels and annotations never do.
    expect(JSON.stringify([r.metadata, main, r.spec.tfReplicaSpecs!.Worker!.template.metadata])).not.toContain(
      'hunter2',
    )
    expect(jobResource(makeJob(), options).spec.tfReplicaSpecs!.Worker!.template.spec).toEqual({
      containers: [expect.objectContaining({ name: 'tensorflow' })],
    })
    const image = jobResource(makeJob({ code }), options).spec.tfReplicaSpecs!.PS!.template.spec.initContainers![0]!
      .image
    expect(image).toBe('apache/submarine:git-sync-3.1.6')
  })

  test('the validator itself rejects unknown fields, wrong types and bad quantities', async () => {
    const { schema } = await loadCrdSchema(`${CRDS}/kubeflow.org_tfjobs.yaml`)
    const bad = structuredClone(jobResource(makeJob(), options)) as unknown as Record<string, any>
    bad.spec.tfReplicaSpecs.Worker.replicas = '2'
    bad.spec.tfReplicaSpecs.Worker.template.spec.containers[0].resources.limits.memory = 'lots'
    bad.spec.runPolicy.bogus = true
    bad.spec.tfReplicaSpecs.PS.template.spec.containers[0].commands = []
    expect(validateResource(schema, bad)).toEqual([
      'spec.runPolicy.bogus: unknown field',
      'spec.tfReplicaSpecs.PS.template.spec.containers[0].commands: unknown field',
      'spec.tfReplicaSpecs.Worker.replicas: must be an integer',
      expect.stringContaining(
        'spec.tfReplicaSpecs.Worker.template.spec.containers[0].resources.limits.memory: "lots" does not match',
      ),
    ])
  })
})

/**
 * Every field of the job's types is either reflected in the resource (changing it
 * changes the value at the listed paths) or excluded with a reason. The mapped types
 * make a missing key a compile error, so a new JobSpec field cannot be dropped silently.
 */
describe('every JobSpec field is reflected in the resource or excluded on purpose', () => {
  type Check<T> = { vary: (value: T) => T; reflectedAt: string[] } | { excluded: string }
  const base = makeJob({
    framework: 'TensorFlow',
    replicaSpecs: [replica({ type: 'Worker', env: [['A', '1']], resources: { cpu: '1', memory: '1Gi', gpu: 1 } })],
  })
  const W = 'spec.tfReplicaSpecs.Worker'
  const C = `${W}.template.spec.containers`
  const withWorker =
    (change: (r: ReplicaSpec) => ReplicaSpec) =>
    (j: JobSpec): JobSpec => ({ ...j, replicaSpecs: j.replicaSpecs.map(change) })
  const withResources = (change: (r: Resources) => Resources) =>
    withWorker((r) => ({ ...r, resources: change(r.resources) }))

  const JOB: { [K in keyof JobSpec]-?: Check<JobSpec> } = {
    id: {
      vary: (j) => ({ ...j, id: 'experiment-1-0002' }),
      reflectedAt: ['metadata.name', 'metadata.labels', `${W}.template.metadata.labels`],
    },
    name: { vary: (j) => ({ ...j, name: 'other' }), reflectedAt: ['metadata.annotations', 'metadata.labels'] },
    namespace: { vary: (j) => ({ ...j, namespace: 'team-b' }), reflectedAt: ['metadata.namespace'] },
    framework: {
      vary: (j) => ({ ...j, framework: 'PyTorch' }),
      reflectedAt: ['kind', 'spec.tfReplicaSpecs', 'spec.pytorchReplicaSpecs'],
    },
    replicaSpecs: {
      vary: (j) => ({ ...j, replicaSpecs: [...j.replicaSpecs, replica({ type: 'Ps' })] }),
      reflectedAt: ['spec.tfReplicaSpecs'],
    },
    restartPolicy: {
      vary: (j) => ({ ...j, restartPolicy: 'Never' as unknown as 'OnFailure' }),
      reflectedAt: [`${W}.restartPolicy`],
    },
    backoffLimit: { vary: (j) => ({ ...j, backoffLimit: 5 }), reflectedAt: ['spec.runPolicy.backoffLimit'] },
    activeDeadlineSeconds: {
      vary: (j) => ({ ...j, activeDeadlineSeconds: 600 }),
      reflectedAt: ['spec.runPolicy.activeDeadlineSeconds'],
    },
    code: {
      vary: (j) => ({ ...j, code }),
      reflectedAt: [`${W}.template.spec.initContainers`, `${W}.template.spec.volumes`, C],
    },
  }
  /** Checked against the base job with code sync. */
  const INIT = `${W}.template.spec.initContainers`
  const withCode =
    (change: Partial<CodeSync>) =>
    (j: JobSpec): JobSpec => ({ ...j, code: { ...code, ...change } })
  const CODE: { [K in keyof CodeSync]-?: Check<JobSpec> } = {
    url: { vary: withCode({ url: 'git://other/repo.git' }), reflectedAt: [INIT] },
    branch: { vary: withCode({ branch: 'main' }), reflectedAt: [INIT] },
    username: { vary: withCode({ username: 'bob' }), reflectedAt: [INIT] },
    password: { vary: withCode({ password: 'other' }), reflectedAt: [INIT] },
    trustCerts: { vary: withCode({ trustCerts: true }), reflectedAt: [INIT] },
  }
  const REPLICA: { [K in keyof ReplicaSpec]-?: Check<JobSpec> } = {
    type: { vary: withWorker((r) => ({ ...r, type: 'Chief' })), reflectedAt: [W, 'spec.tfReplicaSpecs.Chief'] },
    replicas: { vary: withWorker((r) => ({ ...r, replicas: 4 })), reflectedAt: [`${W}.replicas`] },
    image: { vary: withWorker((r) => ({ ...r, image: 'python:3.12' })), reflectedAt: [C] },
    command: { vary: withWorker((r) => ({ ...r, command: 'python train.py' })), reflectedAt: [C] },
    env: { vary: withWorker((r) => ({ ...r, env: [['B', '2']] })), reflectedAt: [C] },
    resources: { vary: withWorker((r) => ({ ...r, resources: {} })), reflectedAt: [C] },
  }
  const RESOURCES: { [K in keyof Resources]-?: Check<JobSpec> } = {
    cpu: { vary: withResources((r) => ({ ...r, cpu: '2' })), reflectedAt: [C] },
    memory: { vary: withResources((r) => ({ ...r, memory: '3Gi' })), reflectedAt: [C] },
    gpu: { vary: withResources((r) => ({ ...r, gpu: 2 })), reflectedAt: [C] },
  }

  const all: Array<[string, Check<JobSpec>]> = [
    ...Object.entries(JOB).map(([k, c]) => [`JobSpec.${k}`, c] as [string, Check<JobSpec>]),
    ...Object.entries(REPLICA).map(([k, c]) => [`ReplicaSpec.${k}`, c] as [string, Check<JobSpec>]),
    ...Object.entries(RESOURCES).map(([k, c]) => [`Resources.${k}`, c] as [string, Check<JobSpec>]),
  ]
  const built: KubeflowJob = jobResource(base, options)
  for (const [field, check] of all) {
    test(field, () => {
      if ('excluded' in check) {
        expect(check.excluded.length).toBeGreaterThan(10)
        return
      }
      const varied = jobResource(check.vary(base), options)
      for (const path of check.reflectedAt)
        expect({ path, value: at(varied, path) }).not.toEqual({ path, value: at(built, path) })
    })
  }
  const withSync = jobResource({ ...base, code }, options)
  for (const [field, check] of Object.entries(CODE)) {
    test(`CodeSync.${field}`, () => {
      if ('excluded' in check) return
      const varied = jobResource(check.vary(base), options)
      for (const path of check.reflectedAt)
        expect({ path, value: at(varied, path) }).not.toEqual({ path, value: at(withSync, path) })
    })
  }
})
