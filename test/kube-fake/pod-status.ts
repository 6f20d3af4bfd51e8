/**
 * Pure pod-status building for the fake kubelet: container statuses, phase and conditions from the
 * kubelet's view of each container (semantics doc §7 phase table).
 * @module
 */
import type { Json } from './types.ts'

/** The kubelet's view of one container, as it reports it. */
export interface ContainerView {
  name: string
  image: string
  /** `{waiting}`, `{running}` or `{terminated}` exactly as in `containerStatuses[].state`. */
  state: Json
  /** `{}` or `{terminated}`. */
  lastState: Json
  restartCount: number
  /** The current (or last) instance's id. */
  containerID?: string
}

/** The kubelet's view of a pod. */
export interface PodView {
  initContainers: readonly ContainerView[]
  containers: readonly ContainerView[]
  initDone: boolean
  startTime: string
  podIP: string
}

/** `containerStatuses[]` entry. */
export function containerStatus(c: ContainerView): Json {
  return {
    name: c.name,
    state: c.state,
    lastState: c.lastState,
    ready: c.state.running !== undefined,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.containerID ? `docker.io/library/${c.image}` : '',
    ...(c.containerID ? { containerID: c.containerID } : {}),
    started: c.state.running !== undefined,
  }
}

/**
 * The pod phase: Pending until the containers start, Running while any runs or is being
 * restarted, then Succeeded when all exited 0 and Failed when any exited non-zero.
 */
export function podPhase(pod: PodView): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  if (!pod.initDone) {
    const initFailed = pod.initContainers.some((c) => c.state.terminated && c.state.terminated.exitCode !== 0)
    return initFailed ? 'Failed' : 'Pending'
  }
  const cs = pod.containers
  if (cs.length > 0 && cs.every((c) => c.state.terminated)) {
    return cs.some((c) => c.state.terminated.exitCode !== 0) ? 'Failed' : 'Succeeded'
  }
  const started = cs.some((c) => c.state.running || c.state.terminated || c.lastState.terminated)
  return started ? 'Running' : 'Pending'
}

function condition(type: string, ok: boolean, now: string, previous: Json[] | undefined, reason?: string): Json {
  const status = ok ? 'True' : 'False'
  const prev = previous?.find((c) => c.type === type)
  const lastTransitionTime = prev && prev.status === status ? prev.lastTransitionTime : now
  return { type, status, lastProbeTime: null, lastTransitionTime, ...(reason && !ok ? { reason } : {}) }
}

/** The whole `status` block of a pod. */
export function podStatus(pod: PodView, previousConditions: Json[] | undefined, now: string): Json {
  const phase = podPhase(pod)
  const terminal = phase === 'Succeeded' || phase === 'Failed'
  const ready = !terminal && pod.initDone && pod.containers.length > 0 && pod.containers.every((c) => c.state.running)
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady'
  return {
    phase,
    conditions: [
      condition('Initialized', pod.initDone, now, previousConditions, 'ContainersNotInitialized'),
      condition('Ready', ready, now, previousConditions, notReadyReason),
      condition('ContainersReady', ready, now, previousConditions, notReadyReason),
      condition('PodScheduled', true, now, previousConditions),
    ],
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: pod.podIP,
    podIPs: [{ ip: pod.podIP }],
    startTime: pod.startTime,
    ...(pod.initContainers.length > 0 ? { initContainerStatuses: pod.initContainers.map(containerStatus) } : {}),
    containerStatuses: pod.containers.map(containerStatus),
    qosClass: 'BestEffort',
  }
}
