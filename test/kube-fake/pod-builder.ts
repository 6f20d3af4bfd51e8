/**
 * The pods and headless services the training operator creates for each replica (semantics doc
 * §3): names, labels, ownerReference, restart policy, default port, injected env, PyTorch init
 * container.
 * @module
 */
import type { JobKindInfo } from './kinds.ts'
import { operatorEnv } from './operator-env.ts'
import { podName, type ReplicaView } from './replica-specs.ts'
import type { Json, KubeObject, OwnerReference } from './types.ts'

/** Label keys of semantics doc §3.2. */
export const LABELS = {
  operatorName: 'training.kubeflow.org/operator-name',
  jobName: 'training.kubeflow.org/job-name',
  replicaType: 'training.kubeflow.org/replica-type',
  replicaIndex: 'training.kubeflow.org/replica-index',
  jobRole: 'training.kubeflow.org/job-role',
} as const

/** The node every fake pod is scheduled to. */
export const NODE_NAME = 'kube-fake-node'

function isMasterRole(info: JobKindInfo, views: readonly ReplicaView[], type: string, index: number): boolean {
  const has = (t: string) => views.some((v) => v.type === t)
  if (info.plural === 'tfjobs') {
    if (has('Chief') || has('Master')) return type === 'Chief' || type === 'Master'
    return type === 'Worker' && index === 0
  }
  if (has('Master')) return type === 'Master' && index === 0
  return type === 'Worker' && index === 0
}

/** The labels selecting one replica's pod and service (the service's selector). */
export function replicaSelector(info: JobKindInfo, job: string, type: string, index: number): Record<string, string> {
  return {
    [LABELS.operatorName]: info.controllerName,
    [LABELS.jobName]: job.replace(/\//g, '-'),
    [LABELS.replicaType]: type.toLowerCase(),
    [LABELS.replicaIndex]: String(index),
  }
}

function ownerReference(info: JobKindInfo, job: KubeObject): OwnerReference {
  return {
    apiVersion: info.apiVersion,
    kind: info.kind,
    name: job.metadata.name,
    uid: job.metadata.uid as string,
    controller: true,
    blockOwnerDeletion: true,
  }
}

/** The pod for replica `type`/`index` of a job. */
export function buildPod(
  info: JobKindInfo,
  job: KubeObject,
  views: readonly ReplicaView[],
  view: ReplicaView,
  index: number,
): KubeObject {
  const template: Json = structuredClone(view.template ?? {})
  const name = podName(job.metadata.name, view.type, index)
  const labels: Record<string, string> = {
    ...(template.metadata?.labels ?? {}),
    ...replicaSelector(info, job.metadata.name, view.type, index),
  }
  if (isMasterRole(info, views, view.type, index)) labels[LABELS.jobRole] = 'master'
  const spec: Json = template.spec ?? {}
  spec.restartPolicy = view.restartPolicy === 'ExitCode' ? 'Never' : view.restartPolicy
  spec.containers = (spec.containers ?? []).map((c: Json) => {
    const container = { ...c }
    if (container.name === info.containerName) {
      const ports: Json[] = container.ports ?? []
      if (!ports.some((p) => p?.name === info.portName))
        ports.push({ name: info.portName, containerPort: info.defaultPort, protocol: 'TCP' })
      container.ports = ports
    }
    const injected = operatorEnv(info, { job, views, type: view.type, index, containerName: container.name })
    if (injected.length > 0 || container.env) container.env = [...(container.env ?? []), ...injected]
    container.terminationMessagePath ??= '/dev/termination-log'
    container.terminationMessagePolicy ??= 'File'
    container.imagePullPolicy ??= 'IfNotPresent'
    return container
  })
  if (info.plural === 'pytorchjobs' && view.type === 'Worker' && views.some((v) => v.type === 'Master')) {
    const master = podName(job.metadata.name, 'Master', 0)
    spec.initContainers = [
      ...(spec.initContainers ?? []),
      {
        name: 'init-pytorch',
        image: 'alpine:3.10',
        imagePullPolicy: 'IfNotPresent',
        resources: { limits: { cpu: '100m', memory: '20Mi' }, requests: { cpu: '50m', memory: '10Mi' } },
        command: [
          'sh',
          '-c',
          `err=1;for i in $(seq 100); do if nslookup ${master}; then err=0 && break; fi;` +
            'echo waiting for master; sleep 2; done; exit $err',
        ],
      },
    ]
  }
  spec.terminationGracePeriodSeconds ??= 30
  spec.dnsPolicy ??= 'ClusterFirst'
  spec.schedulerName ??= 'default-scheduler'
  spec.nodeName = NODE_NAME
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: job.metadata.namespace,
      labels,
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ...(template.metadata?.finalizers ? { finalizers: template.metadata.finalizers } : {}),
      ownerReferences: [ownerReference(info, job)],
    },
    spec,
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  }
}

/** The headless service for replica `type`/`index` of a job. */
export function buildService(info: JobKindInfo, job: KubeObject, view: ReplicaView, index: number): KubeObject {
  const selector = replicaSelector(info, job.metadata.name, view.type, index)
  const containers: Json[] = view.template?.spec?.containers ?? []
  const framework = containers.find((c) => c?.name === info.containerName)
  const ports: Json[] = (framework?.ports ?? []).filter((p: Json) => typeof p?.name === 'string')
  if (!ports.some((p) => p.name === info.portName)) ports.push({ name: info.portName, containerPort: info.defaultPort })
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: podName(job.metadata.name, view.type, index),
      namespace: job.metadata.namespace,
      labels: { ...(view.template?.metadata?.labels ?? {}), ...selector },
      ownerReferences: [ownerReference(info, job)],
    },
    spec: {
      clusterIP: 'None',
      clusterIPs: ['None'],
      type: 'ClusterIP',
      selector,
      ports: ports.map((p) => ({
        name: p.name,
        port: p.containerPort,
        protocol: p.protocol ?? 'TCP',
        targetPort: p.containerPort,
      })),
      sessionAffinity: 'None',
    },
  }
}
