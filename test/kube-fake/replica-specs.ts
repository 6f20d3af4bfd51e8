/**
 * A job's replica specs with the operator's in-memory defaults applied (semantics doc §1.2–1.3):
 * canonical type names, `replicas` 1 when missing, the kind's default `restartPolicy`. Nothing is
 * written back to the stored spec.
 * @module
 */
import { canonicalReplicaType, type JobKindInfo } from './kinds.ts'
import type { Json, KubeObject } from './types.ts'

/** One replica type as the operator sees it. */
export interface ReplicaView {
  /** Canonical type, e.g. `Worker`. */
  type: string
  replicas: number
  /** The replica's policy: `Always`, `OnFailure`, `Never` or `ExitCode`. */
  restartPolicy: string
  /** The PodTemplateSpec. */
  template: Json
}

/** Replica views in the kind's visiting order (Chief, Evaluator, Master, PS, Worker for TF). */
export function replicaViews(info: JobKindInfo, job: KubeObject): ReplicaView[] {
  const specs: Record<string, Json> = job.spec?.[info.replicaSpecsField] ?? {}
  const views = Object.entries(specs).map(([key, spec]) => ({
    type: canonicalReplicaType(key),
    replicas: typeof spec?.replicas === 'number' ? spec.replicas : 1,
    restartPolicy: spec?.restartPolicy || info.defaultRestartPolicy,
    template: spec?.template ?? {},
  }))
  const order = (t: string) => {
    const i = info.replicaTypes.indexOf(t)
    return i < 0 ? info.replicaTypes.length : i
  }
  return views.sort((a, b) => order(a.type) - order(b.type) || a.type.localeCompare(b.type))
}

/** The framework container's named port for a replica type, else the kind's default. */
export function replicaPort(info: JobKindInfo, view: ReplicaView | undefined): number {
  const containers: Json[] = view?.template?.spec?.containers ?? []
  const container = containers.find((c) => c?.name === info.containerName)
  const port = (container?.ports ?? []).find((p: Json) => p?.name === info.portName)
  return typeof port?.containerPort === 'number' ? port.containerPort : info.defaultPort
}

/** Total replicas across types. */
export function totalReplicas(views: readonly ReplicaView[]): number {
  return views.reduce((sum, v) => sum + v.replicas, 0)
}

/** Pod (and service) name: `<job>-<lowercase type>-<index>` (semantics doc §3.1). */
export function podName(job: string, type: string, index: number): string {
  return `${job}-${type.toLowerCase()}-${index}`
}
