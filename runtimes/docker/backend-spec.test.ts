import { describe, expect, test } from 'bun:test'
import { RuntimeRejectedError } from '../../src/errors.ts'
import { type JobSpec, type ReplicaSpec, replicaRefs } from '../../src/runtime/job.ts'
import { jobSpec } from '../testing/job-spec.ts'
import {
  codeHelperSpec,
  containerSpec,
  DOCKER_LABEL,
  decodeJobSpec,
  networkSpec,
  replicaAliases,
  volumeSpec,
} from './backend-spec.ts'

const replica = (over: Partial<ReplicaSpec> = {}): ReplicaSpec => ({
  type: 'Worker',
  replicas: 2,
  image: 'periscope-test/busybox:latest',
  command: 'python train.py --epochs 1',
  env: [['A', '1']],
  resources: { cpu: '1', memory: '512Mi' },
  ...over,
})
const makeJob = (over: Partial<JobSpec> = {}): JobSpec => ({
  ...jobSpec({ id: 'exp-1', name: 'mnist', namespace: 'team-a' }),
  replicaSpecs: [replica({ type: 'Ps', replicas: 1 }), replica()],
  ...over,
})
const worker1 = (job: JobSpec) => replicaRefs(job).find((r) => r.pod === `${job.id}-worker-1`)!

/** Everything built for a job, minus the label that carries the whole spec. */
function built(job: JobSpec) {
  const strip = <T extends { Labels: Record<string, string> }>(o: T) => ({
    ...o,
    Labels: { ...o.Labels, [DOCKER_LABEL.jobSpec]: '' },
  })
  return JSON.stringify({
    net: strip(networkSpec(job, 'inst')),
    containers: replicaRefs(job).map((r) => strip(containerSpec(job, r, 'inst'))),
    ...(job.code ? { volume: volumeSpec(job, 'inst'), helper: codeHelperSpec(job, 'img', 'inst') } : {}),
  })
}
const code = {
  url: 'https://git.example.com/team/repo.git',
  branch: 'dev',
  username: 'alice',
  password: 'hunter2-secret',
  trustCerts: false,
}

describe('containerSpec', () => {
  test('names, hostnames and aliases the container like the operator names the pod and its service', () => {
    const job = makeJob()
    const spec = containerSpec(job, worker1(job), 'inst')
    expect(spec.name).toBe('exp-1-worker-1')
    expect(spec.Hostname).toBe('exp-1-worker-1')
    expect(spec.HostConfig.NetworkMode).toBe('exp-1')
    expect(spec.NetworkingConfig).toEqual({
      EndpointsConfig: {
        'exp-1': {
          Aliases: ['exp-1-worker-1', 'exp-1-worker-1.team-a.svc', 'exp-1-worker-1.team-a.svc.cluster.local'],
        },
      },
    })
    expect(replicaAliases('p', 'ns')).toEqual(['p', 'p.ns.svc', 'p.ns.svc.cluster.local'])
  })

  test('runs the command with sh -c, replacing the image entrypoint, and never lets Docker restart it', () => {
    const job = makeJob()
    const spec = containerSpec(job, worker1(job), 'inst')
    expect([...spec.Entrypoint, ...spec.Cmd]).toEqual(['sh', '-c', 'python train.py --epochs 1'])
    expect(spec.HostConfig.RestartPolicy).toEqual({ Name: 'no' })
  })

  test('sets the user env then the operator env', () => {
    const job = makeJob()
    const env = containerSpec(job, worker1(job), 'inst').Env
    expect(env[0]).toBe('A=1')
    expect(env[1]).toStartWith(
      'TF_CONFIG={"cluster":{"ps":["exp-1-ps-0.team-a.svc:2222"],' +
        '"worker":["exp-1-worker-0.team-a.svc:2222","exp-1-worker-1.team-a.svc:2222"]},' +
        '"task":{"type":"worker","index":1}',
    )
    expect(env).toHaveLength(2)
  })

  test('labels containers with the operator pod labels, the owner labels and the spec', () => {
    const job = makeJob({ replicaSpecs: [replica({ replicas: 1 })] })
    const labels = containerSpec(job, replicaRefs(job)[0]!, 'inst').Labels
    expect(labels).toEqual({
      'training.kubeflow.org/operator-name': 'tfjob-controller',
      'training.kubeflow.org/job-name': 'exp-1',
      'training.kubeflow.org/replica-type': 'worker',
      'training.kubeflow.org/replica-index': '0',
      'training.kubeflow.org/job-role': 'master',
      'periscope.io/experiment-id': 'exp-1',
      'periscope.io/instance': 'inst',
      'periscope.io/experiment-name': 'mnist',
      'periscope.io/job-spec': JSON.stringify(job),
    })
    expect(decodeJobSpec(labels['periscope.io/job-spec'])).toEqual(job)
  })

  test('labels the network like the operator labels services, plus the owner labels and the spec', () => {
    const job = makeJob()
    const net = networkSpec(job, 'inst')
    expect(net.Name).toBe('exp-1')
    expect(net.Driver).toBe('bridge')
    expect(net.Labels).toEqual({
      'training.kubeflow.org/operator-name': 'tfjob-controller',
      'training.kubeflow.org/job-name': 'exp-1',
      'periscope.io/experiment-id': 'exp-1',
      'periscope.io/instance': 'inst',
      'periscope.io/experiment-name': 'mnist',
      'periscope.io/job-spec': JSON.stringify(job),
    })
  })

  test('turns resources into limits', () => {
    const job = makeJob({
      replicaSpecs: [replica({ replicas: 1, resources: { cpu: '500m', memory: '1024M', gpu: 1 } })],
    })
    const host = containerSpec(job, replicaRefs(job)[0]!, 'inst').HostConfig
    expect(host.NanoCpus).toBe(5e8)
    expect(host.Memory).toBe(2_048_000_000)
    expect(host.MemoryReservation).toBe(1_024_000_000)
    expect(host.DeviceRequests).toEqual([{ Driver: 'nvidia', Count: 1, Capabilities: [['gpu']] }])
  })

  test('refuses a replica without an image, or with a quantity it cannot read', () => {
    const noImage = makeJob({ replicaSpecs: [replica({ replicas: 1, image: null })] })
    expect(() => containerSpec(noImage, replicaRefs(noImage)[0]!, 'inst')).toThrow(RuntimeRejectedError)
    const badMemory = makeJob({ replicaSpecs: [replica({ replicas: 1, resources: { memory: 'lots' } })] })
    expect(() => containerSpec(badMemory, replicaRefs(badMemory)[0]!, 'inst')).toThrow('memory "lots"')
  })

  test('refuses a spec too large for a label', () => {
    const huge = makeJob({ replicaSpecs: [replica({ replicas: 1, env: [['BIG', 'x'.repeat(300 * 1024)]] })] })
    expect(() => containerSpec(huge, replicaRefs(huge)[0]!, 'inst')).toThrow('at most 262144 bytes')
    expect(() => networkSpec(huge, 'inst')).toThrow(RuntimeRejectedError)
  })

  test('code sync: the volume at /code, the checkout as working directory, CODE_PATH last, no credentials', () => {
    const job = makeJob({ code, replicaSpecs: [replica({ replicas: 1, env: [['CODE_PATH', 'mine']] })] })
    const spec = containerSpec(job, replicaRefs(job)[0]!, 'inst')
    expect(spec.HostConfig.Mounts).toEqual([{ Type: 'volume', Source: 'exp-1-code', Target: '/code' }])
    expect(spec.WorkingDir).toBe('/code/current')
    expect(spec.Env.filter((e) => e.startsWith('CODE_PATH='))).toEqual(['CODE_PATH=/code'])
    expect(spec.Env.at(-1)).toBe('CODE_PATH=/code')
    const helper = codeHelperSpec(job, 'periscope-test/busybox:latest', 'inst')
    expect(helper).toMatchObject({ name: 'exp-1-code-sync', HostConfig: { NetworkMode: 'none' } })
    expect(helper.HostConfig.Mounts).toEqual(spec.HostConfig.Mounts!)
    expect(Object.keys(helper.Labels)).toEqual(['periscope.io/instance'])
    // Labels are readable by anyone with `docker inspect`: the stored spec has no credentials.
    const everything = JSON.stringify([spec, helper, volumeSpec(job, 'inst'), networkSpec(job, 'inst')])
    expect(everything).not.toContain('hunter2')
    expect(everything).not.toContain('alice')
    expect(decodeJobSpec(spec.Labels[DOCKER_LABEL.jobSpec])?.code).toEqual({ ...code, username: null, password: null })
    const plain = containerSpec(makeJob(), replicaRefs(makeJob())[0]!, 'inst')
    expect(plain.WorkingDir).toBeUndefined()
    expect(plain.HostConfig.Mounts).toBeUndefined()
  })

  test('decodes only labels that hold a JobSpec', () => {
    expect(decodeJobSpec(undefined)).toBeNull()
    expect(decodeJobSpec('{')).toBeNull()
    expect(decodeJobSpec('{"id":1}')).toBeNull()
  })
})

describe('every JobSpec field is used or excluded on purpose', () => {
  // A change to a used field changes what is created (beyond the spec label); an excluded one does not.
  const jobFields: Record<keyof JobSpec, { change: Partial<JobSpec> } & ({ used: string } | { excluded: string })> = {
    id: { change: { id: 'exp-2' }, used: 'names, network, labels, env hosts' },
    name: { change: { name: 'other' }, used: 'the periscope.io/experiment-name label' },
    namespace: { change: { namespace: 'team-b' }, used: 'aliases and TF_CONFIG hosts' },
    framework: {
      change: { framework: 'PyTorch', replicaSpecs: [replica({ type: 'Master', replicas: 1 }), replica()] },
      used: 'operator-name label, operator env',
    },
    replicaSpecs: {
      change: { replicaSpecs: [replica({ type: 'Ps', replicas: 1 }), replica({ replicas: 3 })] },
      used: 'one container per replica (fields below)',
    },
    restartPolicy: {
      change: { restartPolicy: 'OnFailure' },
      excluded: 'Docker restart policy stays "no": the emulated kubelet restarts in place (always OnFailure)',
    },
    backoffLimit: { change: { backoffLimit: 0 }, excluded: 'applied by EmulatedJob, not by Docker' },
    activeDeadlineSeconds: {
      change: { activeDeadlineSeconds: 60 },
      excluded: 'enforced by EmulatedJob with a timer from startTime (kept in the job-spec label for a restart)',
    },
    code: {
      change: { code },
      used: 'the code volume, its helper, Mounts, WorkingDir, CODE_PATH (the clone is on the host)',
    },
  }
  const replicaFields: Record<
    keyof ReplicaSpec,
    { change: Partial<ReplicaSpec> } & ({ used: string } | { excluded: string })
  > = {
    type: { change: { type: 'Chief', replicas: 1 }, used: 'names, replica-type label, TF_CONFIG' },
    replicas: { change: { replicas: 3 }, used: 'how many containers' },
    image: { change: { image: 'other:1' }, used: 'Image' },
    command: { change: { command: 'echo hi' }, used: 'Cmd (sh -c)' },
    env: { change: { env: [['B', '2']] }, used: 'Env, before the operator env' },
    resources: { change: { resources: { cpu: '2' } }, used: 'NanoCpus, Memory, MemoryReservation, DeviceRequests' },
  }

  test('the tables cover every field', () => {
    expect(Object.keys(jobFields).sort()).toEqual(Object.keys(makeJob()).sort())
    expect(Object.keys(replicaFields).sort()).toEqual(Object.keys(replica()).sort())
  })

  for (const [field, row] of Object.entries(jobFields)) {
    test(`JobSpec.${field}: ${'used' in row ? `used (${row.used})` : `excluded (${row.excluded})`}`, () => {
      const changed = built(makeJob(row.change))
      if ('used' in row) expect(changed).not.toBe(built(makeJob()))
      else expect(changed).toBe(built(makeJob()))
    })
  }

  for (const [field, row] of Object.entries(replicaFields)) {
    test(`ReplicaSpec.${field}: ${'used' in row ? `used (${row.used})` : `excluded (${row.excluded})`}`, () => {
      const base = makeJob({ replicaSpecs: [replica({ type: 'Ps', replicas: 1 }), replica()] })
      const changed = makeJob({ replicaSpecs: [replica({ type: 'Ps', replicas: 1 }), replica(row.change)] })
      expect(built(changed)).not.toBe(built(base))
    })
  }
})
