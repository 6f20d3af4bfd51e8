/**
 * @module
 * Pure translation of a {@link JobSpec} into the Kubeflow custom resource that runs
 * it (`TFJob`, `PyTorchJob` or `XGBoostJob`, kubeflow.org/v1), following what
 * Submarine submits (submarine-semantics.md §6.1). Kept apart from the client
 * because a wrong field here is a pod that starts and behaves differently, not a
 * request that fails; `backend-spec.test.ts` proves every field of the spec is
 * either used or excluded on purpose, and that the result validates against the
 * operator's real CRDs.
 */
import { RuntimeRejectedError } from '../../src/errors.ts'
import { CHECKOUT_NAME, CODE_MOUNT_PATH, CODE_PATH_ENV, CONTAINER_CHECKOUT } from '../../src/runtime/code-sync.ts'
import {
  containerName,
  type JobSpec,
  operatorReplicaKey,
  type ReplicaSpec,
  type Resources,
} from '../../src/runtime/job.ts'
import { ownerLabels } from '../../src/runtime/labels.ts'
import { doubleQuantity, isQuantity, parseRequest, type Quantity } from '../../src/runtime/quantity.ts'
import { type JobKind, KUBEFLOW_GROUP, KUBEFLOW_VERSION, kindOf } from './job-kinds.ts'

/** Annotation carrying the experiment name (any text; labels cannot hold every name). */
export const EXPERIMENT_NAME_ANNOTATION = 'periscope.io/experiment-name'
/** Submarine's own label for the experiment name, set when the name is a valid label value. */
export const SUBMARINE_NAME_LABEL = 'submarine-experiment-name'
/** Keeps Istio from injecting a sidecar that would keep finished pods Running (kubeflow-semantics §8 #6). */
export const ISTIO_INJECT_ANNOTATION = 'sidecar.istio.io/inject'

/** Submarine's code sync image (git-sync 3.1.6); `--git-image` names another, for air-gapped registries. */
export const DEFAULT_GIT_IMAGE = 'apache/submarine:git-sync-3.1.6'
/** Submarine's names for the code sync init container and its volume. */
export const CODE_LOCALIZER = 'code-localizer'
export const CODE_VOLUME = 'code-dir'

/** What the builder needs besides the job. */
export interface JobResourceOptions {
  /** This server's instance id, written into the ownership labels. */
  instanceId: string
  /** The git-sync image of the code sync init container (default {@link DEFAULT_GIT_IMAGE}). */
  gitImage?: string
}

/** `resources` of one container. */
export interface ContainerResources {
  requests?: Record<string, string>
  limits?: Record<string, string>
}

/** A container of a replica's pod template: the framework's, or the code sync init container. */
export interface Container {
  name: string
  image: string
  /** Absent for the init container: git-sync's image runs its own entrypoint. */
  command?: string[]
  workingDir?: string
  env?: Array<{ name: string; value: string }>
  resources?: ContainerResources
  volumeMounts?: Array<{ name: string; mountPath: string }>
  /** The init container's log tail becomes its termination message: git's error, for the status. */
  terminationMessagePolicy?: 'FallbackToLogsOnError'
}

/** One value of the replica map (`spec.tfReplicaSpecs.Worker` …). */
export interface KubeflowReplicaSpec {
  replicas: number
  restartPolicy: JobSpec['restartPolicy']
  template: {
    metadata: { labels: Record<string, string>; annotations: Record<string, string> }
    spec: {
      initContainers?: Container[]
      containers: Container[]
      volumes?: Array<{ name: string; emptyDir: Record<string, never> }>
    }
  }
}

/** Keyed by the operator's replica type (`PS`, `Worker`, …). */
export type ReplicaMap = Record<string, KubeflowReplicaSpec>

/** A TFJob, PyTorchJob or XGBoostJob as this runtime creates it. */
export interface KubeflowJob {
  apiVersion: `${typeof KUBEFLOW_GROUP}/${typeof KUBEFLOW_VERSION}`
  kind: JobKind['kind']
  metadata: {
    name: string
    namespace: string
    labels: Record<string, string>
    annotations: Record<string, string>
  }
  spec: {
    runPolicy: { backoffLimit: number; cleanPodPolicy: 'Running'; activeDeadlineSeconds?: number }
    tfReplicaSpecs?: ReplicaMap
    pytorchReplicaSpecs?: ReplicaMap
    xgbReplicaSpecs?: ReplicaMap
  }
}

/**
 * The custom resource for a job: named after the experiment, labelled as this
 * server's, one replica-map entry per replica type.
 * @throws RuntimeRejectedError when a replica has no image (a cluster cannot run it)
 */
export function jobResource(job: JobSpec, options: JobResourceOptions): KubeflowJob {
  const kind = kindOf(job.framework)
  const labels: Record<string, string> = ownerLabels(job.id, options.instanceId)
  if (isLabelValue(job.name)) labels[SUBMARINE_NAME_LABEL] = job.name
  return {
    apiVersion: `${KUBEFLOW_GROUP}/${KUBEFLOW_VERSION}`,
    kind: kind.kind,
    metadata: {
      name: job.id,
      namespace: job.namespace,
      labels,
      annotations: { [EXPERIMENT_NAME_ANNOTATION]: job.name },
    },
    spec: {
      // cleanPodPolicy Running: the operator's default (None) leaves PS and workers running
      // after the job finished (kubeflow-semantics §8 #2); the emulated runtimes stop them too.
      // activeDeadlineSeconds: the operator fails the job and deletes its pods once it has run that long.
      runPolicy: {
        backoffLimit: job.backoffLimit,
        cleanPodPolicy: 'Running',
        ...(job.activeDeadlineSeconds !== null && { activeDeadlineSeconds: job.activeDeadlineSeconds }),
      },
      [kind.replicaMap]: Object.fromEntries(
        job.replicaSpecs.map((spec) => [operatorReplicaKey(spec.type), replicaSpec(job, spec, options)]),
      ),
    },
  }
}

/** One replica type's entry in the replica map. */
export function replicaSpec(job: JobSpec, spec: ReplicaSpec, options: JobResourceOptions): KubeflowReplicaSpec {
  if (spec.image === null || spec.image.trim() === '') {
    throw new RuntimeRejectedError(
      `replica ${spec.type} has no image: the kubernetes runtime needs an image for every replica`,
      400,
    )
  }
  const container: Container = {
    name: containerName(job.framework),
    image: spec.image,
    command: ['sh', '-c', spec.command],
  }
  if (spec.env.length > 0) container.env = spec.env.map(([name, value]) => ({ name, value }))
  const resources = containerResources(spec.resources)
  if (resources) container.resources = resources
  const podSpec: KubeflowReplicaSpec['template']['spec'] = { containers: [container] }
  if (job.code) {
    // Submarine's code localizer: git-sync into an emptyDir at /code, CODE_PATH=/code in the
    // main container (appended, so it wins); periscope also starts the command in the checkout.
    container.env = [
      ...(container.env ?? []).filter((e) => e.name !== CODE_PATH_ENV),
      envVar(CODE_PATH_ENV, CODE_MOUNT_PATH),
    ]
    container.workingDir = CONTAINER_CHECKOUT
    container.volumeMounts = [{ name: CODE_VOLUME, mountPath: CODE_MOUNT_PATH }]
    podSpec.initContainers = [codeLocalizer(job.code, options.gitImage ?? DEFAULT_GIT_IMAGE)]
    podSpec.volumes = [{ name: CODE_VOLUME, emptyDir: {} }]
  }
  return {
    replicas: spec.replicas,
    restartPolicy: job.restartPolicy,
    template: {
      // The operator copies template labels onto pods, so pods are found by instance too.
      metadata: {
        labels: ownerLabels(job.id, options.instanceId),
        annotations: { [ISTIO_INJECT_ANNOTATION]: 'false' },
      },
      spec: podSpec,
    },
  }
}

const envVar = (name: string, value: string) => ({ name, value })

/**
 * git-sync's environment as Submarine sets it. The password is git-sync's
 * `GIT_SYNC_PASSWORD`, in the pod template as Submarine has it.
 */
export function codeLocalizer(code: NonNullable<JobSpec['code']>, image: string): Container {
  const env = [
    envVar('GIT_SYNC_REPO', code.url),
    envVar('GIT_SYNC_ROOT', CODE_MOUNT_PATH),
    envVar('GIT_SYNC_DEPTH', '1'),
    envVar('GIT_SYNC_DEST', CHECKOUT_NAME),
    envVar('GIT_SYNC_ONE_TIME', 'true'),
    envVar('GIT_SYNC_BRANCH', code.branch),
  ]
  if (code.username) env.push(envVar('GIT_SYNC_USERNAME', code.username))
  if (code.password) env.push(envVar('GIT_SYNC_PASSWORD', code.password))
  if (code.trustCerts) env.push(envVar('GIT_SSL_NO_VERIFY', 'true'))
  return {
    name: CODE_LOCALIZER,
    image,
    env,
    volumeMounts: [{ name: CODE_VOLUME, mountPath: CODE_MOUNT_PATH }],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  }
}

/**
 * Requests as given; limits equal to the requests except memory, whose limit is twice
 * the request as Submarine sets it (SUBMARINE-948), computed on the quantity so the unit
 * is kept (`1Gi` → `2Gi`, where Submarine's string arithmetic crashed). GPUs, an
 * extended resource, must have limit = request.
 * @throws RuntimeRejectedError when a request is not one the API accepts (never for a stored spec)
 */
export function containerResources(resources: Resources): ContainerResources | undefined {
  const requests: Record<string, string> = {}
  const limits: Record<string, string> = {}
  if (resources.cpu !== undefined) requests.cpu = limits.cpu = request('cpu', resources.cpu).text
  if (resources.memory !== undefined) {
    requests.memory = resources.memory
    limits.memory = doubleQuantity(request('memory', resources.memory))
  }
  if (resources.gpu !== undefined && resources.gpu > 0)
    requests['nvidia.com/gpu'] = limits['nvidia.com/gpu'] = String(resources.gpu)
  return Object.keys(requests).length > 0 ? { requests, limits } : undefined
}

function request(name: string, text: string): Quantity {
  const q = parseRequest(text)
  if (!isQuantity(q)) throw new RuntimeRejectedError(`${name} "${text}" ${q.error}`, 400)
  return q
}

/** A valid label value: ≤ 63 characters, alphanumerics with `-_.` inside. */
function isLabelValue(value: string): boolean {
  return value.length <= 63 && /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(value)
}
