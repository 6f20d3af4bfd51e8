/**
 * @module
 * Pure translation of a job into Docker objects: one user-defined bridge network
 * per job and one container per replica, named, labelled and addressed the way
 * the training operator names, labels and addresses pods (kubeflow-semantics.md §7).
 * With code sync, one volume per job holds the checkout (`/code/current`, filled by
 * `code-volume.ts` through a helper container that is never started) and every replica
 * mounts it and starts in it.
 * `backend-spec.test.ts` proves every JobSpec field is used or excluded on purpose.
 */
import { RuntimeRejectedError } from '../../src/errors.ts'
import { CODE_MOUNT_PATH, CODE_PATH_ENV, CONTAINER_CHECKOUT } from '../../src/runtime/code-sync.ts'
import { type JobSpec, operatorName, type ReplicaRef } from '../../src/runtime/job.ts'
import { LABEL, ownerLabels, podLabels } from '../../src/runtime/labels.ts'
import { clusterNetwork, replicaEnv } from '../emulated/operator-env.ts'
import { type DockerLimits, dockerLimits } from './resources.ts'

/** Labels this runtime adds to the shared ones. */
export const DOCKER_LABEL = {
  /**
   * The JobSpec (JSON) the object was created from, so a restarted server can
   * rebuild the job from the engine alone.
   */
  jobSpec: 'periscope.io/job-spec',
  /** `meta.name`, for people reading `docker ps`. */
  experimentName: 'periscope.io/experiment-name',
} as const

/** Body of `POST /networks/create`. */
export interface NetworkSpec {
  Name: string
  Driver: 'bridge'
  Labels: Record<string, string>
}

/** A named volume mounted into a container. */
export interface VolumeMount {
  Type: 'volume'
  Source: string
  Target: string
}

/** Body of `POST /containers/create` plus the container name. */
export interface ContainerSpec {
  name: string
  Image: string
  Hostname: string
  Entrypoint: string[]
  Cmd: string[]
  Env: string[]
  /** The checkout, with code sync; else the image's. */
  WorkingDir?: string
  Labels: Record<string, string>
  HostConfig: DockerLimits & { NetworkMode: string; RestartPolicy: { Name: 'no' }; Mounts?: VolumeMount[] }
  NetworkingConfig: { EndpointsConfig: Record<string, { Aliases: string[] }> }
}

/** Body of `POST /volumes/create`. */
export interface VolumeSpec {
  Name: string
  Labels: Record<string, string>
}

/** Body of the code helper's `POST /containers/create` plus its name: created, filled through, removed. */
export interface HelperSpec {
  name: string
  Image: string
  Entrypoint: string[]
  Labels: Record<string, string>
  HostConfig: { NetworkMode: 'none'; Mounts: VolumeMount[] }
}

/** The job's network: named after the job, like every other object of it. */
export function networkName(jobId: string): string {
  return jobId
}

/** The names a replica answers to on its job's network, as a pod does behind its headless service. */
export function replicaAliases(pod: string, namespace: string): string[] {
  return [pod, `${pod}.${namespace}.svc`, `${pod}.${namespace}.svc.cluster.local`]
}

/**
 * Largest spec label this runtime writes (a real spec is a few KiB). Docker has
 * no label size limit of its own: 1 MiB labels were stored and read back.
 */
export const MAX_JOB_SPEC_LABEL = 256 * 1024

/** The JobSpec as stored in the {@link DOCKER_LABEL.jobSpec} label: without the git credentials. */
export function encodeJobSpec(job: JobSpec): string {
  // Labels are public to anyone who can `docker inspect`. A job rebuilt from them after a
  // restart finds its volume filled; one whose fill had not finished clones anonymously.
  return JSON.stringify(job.code ? { ...job, code: { ...job.code, username: null, password: null } } : job)
}

/** The job's code volume (code sync): named after the job. */
export function codeVolumeName(jobId: string): string {
  return `${jobId}-code`
}

/** The code volume, labelled as the job's (no spec label: it is never adopted from). */
export function volumeSpec(job: JobSpec, instanceId: string): VolumeSpec {
  return {
    Name: codeVolumeName(job.id),
    Labels: { ...ownerLabels(job.id, instanceId), [DOCKER_LABEL.experimentName]: job.name },
  }
}

/** The code helper container's name. */
export function codeHelperName(jobId: string): string {
  return `${jobId}-code-sync`
}

/** The volume as a replica (or the helper) mounts it. */
function codeMount(jobId: string): VolumeMount {
  return { Type: 'volume', Source: codeVolumeName(jobId), Target: CODE_MOUNT_PATH }
}

/**
 * The container the code volume is filled through (`PUT /containers/{id}/archive`): any
 * image will do, as it never starts, so it is the replica's own and nothing is pulled.
 * It carries only the instance label, so a re-list never takes it for a replica.
 */
export function codeHelperSpec(job: JobSpec, image: string, instanceId: string): HelperSpec {
  return {
    name: codeHelperName(job.id),
    Image: image,
    Entrypoint: ['true'],
    Labels: { [LABEL.instance]: instanceId },
    HostConfig: { NetworkMode: 'none', Mounts: [codeMount(job.id)] },
  }
}

/** The JobSpec stored in a label, or null when the label is missing or not a JobSpec. */
export function decodeJobSpec(text: string | undefined): JobSpec | null {
  if (!text) return null
  try {
    const job = JSON.parse(text) as JobSpec
    return typeof job?.id === 'string' && Array.isArray(job.replicaSpecs) ? job : null
  } catch {
    return null
  }
}

function jobLabels(job: JobSpec, instanceId: string): Record<string, string> {
  const spec = encodeJobSpec(job)
  if (spec.length > MAX_JOB_SPEC_LABEL) {
    throw new RuntimeRejectedError(
      `the experiment spec is ${spec.length} bytes as JSON; ` +
        `the docker runtime keeps it in a label of at most ${MAX_JOB_SPEC_LABEL} bytes (large env values?)`,
    )
  }
  return { ...ownerLabels(job.id, instanceId), [DOCKER_LABEL.experimentName]: job.name, [DOCKER_LABEL.jobSpec]: spec }
}

/** The job's bridge network, labelled like the operator's services (no replica labels) plus ours. */
export function networkSpec(job: JobSpec, instanceId: string): NetworkSpec {
  return {
    Name: networkName(job.id),
    Driver: 'bridge',
    Labels: {
      [LABEL.operatorName]: operatorName(job.framework),
      [LABEL.jobName]: job.id,
      ...jobLabels(job, instanceId),
    },
  }
}

/**
 * One replica's container: named and hostnamed after the pod, on the job's
 * network under the pod's three DNS names, running `sh -c <command>` with the
 * user's env then the operator's, and the replica's resources as limits.
 * @throws RuntimeRejectedError when the replica has no image, a resource
 * quantity cannot be read, or the spec is too large for a label
 */
export function containerSpec(job: JobSpec, ref: ReplicaRef, instanceId: string): ContainerSpec {
  const spec = job.replicaSpecs.find((s) => s.type === ref.type)
  if (!spec) throw new Error(`${job.id} has no ${ref.type} replicas`)
  if (!spec.image)
    throw new RuntimeRejectedError(
      `the docker runtime needs an image for the ${ref.type} task (set the task's image or environment.image)`,
    )
  // Submarine appends CODE_PATH to the container's env: it wins over the user's.
  const env = replicaEnv(job, ref, clusterNetwork(job.namespace)).filter(([k]) => !job.code || k !== CODE_PATH_ENV)
  if (job.code) env.push([CODE_PATH_ENV, CODE_MOUNT_PATH])
  return {
    name: ref.pod,
    Image: spec.image,
    Hostname: ref.pod,
    // Like a pod's `command`, this replaces the image's entrypoint.
    Entrypoint: ['sh', '-c'],
    Cmd: [spec.command],
    Env: env.map(([k, v]) => `${k}=${v}`),
    ...(job.code ? { WorkingDir: CONTAINER_CHECKOUT } : {}),
    Labels: { ...podLabels(job, ref), ...jobLabels(job, instanceId) },
    HostConfig: {
      NetworkMode: networkName(job.id),
      // The emulated kubelet restarts in place (OnFailure); Docker must not restart on its own.
      RestartPolicy: { Name: 'no' },
      ...dockerLimits(spec.resources),
      ...(job.code ? { Mounts: [codeMount(job.id)] } : {}),
    },
    NetworkingConfig: {
      EndpointsConfig: { [networkName(job.id)]: { Aliases: replicaAliases(ref.pod, job.namespace) } },
    },
  }
}
