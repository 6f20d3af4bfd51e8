/**
 * @module
 * How the emulated operator starts and stops one job's replicas on Docker:
 * create the container (pulling its image first if needed) and start it, or
 * start the same container again to restart in place. A PyTorch worker's
 * container is created at once but started only when the master's name
 * resolves on the job's network, as the operator's `init-pytorch` container
 * holds the worker pod. Running/exited are reported by the runtime
 * from the engine's events, not here.
 */

import { errorText } from '../../src/errors.ts'
import { type JobSpec, podName, type ReplicaRef, replicaRefs } from '../../src/runtime/job.ts'
import { Wakeup } from '../common/backoff.ts'
import type { ReplicaDriver } from '../emulated/emulated-job.ts'
import type { DockerClient } from './backend-port.ts'
import { containerSpec } from './backend-spec.ts'
import { fillCodeVolume } from './code-volume.ts'
import { EngineError } from './engine-error.ts'
import type { ImagePuller } from './image-puller.ts'

/** What a driver needs from its runtime and job. */
export interface DriverContext {
  /** The job's current spec (replaced by updates). */
  job(): JobSpec
  instanceId: string
  /** Aborted when the job is deleted or the runtime disposed. */
  signal: AbortSignal
  stopGraceSeconds: number
  /** A client whose engine answers. @throws EngineError when none does */
  connect(): Promise<DockerClient>
  /** The client last connected, for best-effort stops. */
  current(): DockerClient | null
  images: ImagePuller
  /** True once the runtime has seen the pod's container start (and not die since). */
  isLive(pod: string): boolean
  /** The job has finished: nothing more may start. */
  finished(): boolean
  /** Shows why a replica is not running yet. */
  waiting(pod: string, reason: string): void
  log(message: string): void
  /** `PATH` and `HOME` for the host's git (code sync). */
  gitEnv: Readonly<Record<string, string | undefined>>
}

/** How often a waiting PyTorch worker looks for its master when not woken. */
const MASTER_POLL_MS = 1000

/** The Docker {@link ReplicaDriver} of one job. */
export class DockerReplicaDriver implements ReplicaDriver {
  #inFlight = new Map<string, Promise<void>>()
  /** Highest attempt started per pod, so a duplicate launch never reruns a finished attempt. */
  #started = new Map<string, number>()
  /** Workers waiting for their master sleep here. */
  readonly #masterSeen = new Wakeup()
  /** The job's code volume being filled, or filled (code sync): once for all replicas. */
  #code: Promise<void> | null = null

  constructor(private readonly ctx: DriverContext) {
    ctx.signal.addEventListener('abort', () => this.wake(), { once: true })
  }

  /** True while a launch of the pod is under way (its container is about to change). */
  isLaunching(pod: string): boolean {
    return this.#inFlight.has(pod)
  }

  /** A container of this job was seen starting: waiting workers look again at once. */
  wake(): void {
    this.#masterSeen.wake()
  }

  /** Resolves when no launch is under way. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#inFlight.values()])
  }

  launch(ref: ReplicaRef, attempt: number): Promise<void> {
    const busy = this.#inFlight.get(ref.pod)
    if (busy) return busy
    if ((this.#started.get(ref.pod) ?? -1) >= attempt) return Promise.resolve()
    const run = this.#launch(ref, attempt)
      .then((started) => {
        if (started) this.#started.set(ref.pod, attempt)
      })
      .finally(() => this.#inFlight.delete(ref.pod))
    this.#inFlight.set(ref.pod, run)
    return run
  }

  async stop(ref: ReplicaRef): Promise<void> {
    this.wake()
    const client = this.ctx.current()
    if (!client) return
    // Out of range after a scale-down: the operator deletes the pod; a later scale-up makes a new one.
    const remove = !replicaRefs(this.ctx.job()).some((r) => r.pod === ref.pod)
    try {
      await client.stopContainer(ref.pod, this.ctx.stopGraceSeconds)
      if (remove) await client.removeContainer(ref.pod)
    } catch (err) {
      this.ctx.log(`could not stop ${ref.pod}: ${errorText(err)}`)
    }
  }

  /** @returns false when it stopped on purpose before starting anything */
  async #launch(ref: ReplicaRef, attempt: number): Promise<boolean> {
    try {
      return await this.#create(ref, attempt)
    } catch (err) {
      if (err instanceof EngineError && err.kind === 'unreachable')
        throw new Error(`Docker engine unreachable: ${err.message}`)
      throw err
    }
  }

  async #create(ref: ReplicaRef, attempt: number): Promise<boolean> {
    const { ctx } = this
    const client = await ctx.connect()
    // A first attempt is created straight away (one call: create answers `exists` for a container
    // already there); a restart in place, or a first attempt whose container exists, looks first.
    const made = attempt === 0 ? await this.#make(client, ref) : 'exists'
    if (made === 'cancelled') return false
    if (made === 'exists') {
      const existing = await client.inspectContainer(ref.pod)
      if (existing?.running) return true
      if (!existing && (await this.#make(client, ref)) === 'cancelled') return false
    }
    // Created first, started once the master resolves, as a pod waits on its init container.
    if (!(await this.#awaitMaster(ref)) || this.#cancelled()) return false
    try {
      await client.startContainer(ref.pod)
    } catch (err) {
      throw reason('RunContainerError', err)
    }
    // The job ended (or was deleted) while this replica was starting: it must not run on.
    if (this.#cancelled()) await client.stopContainer(ref.pod, 0).catch(() => undefined)
    return true
  }

  /**
   * Creates the pod's container, pulling its image only when the engine has none (as
   * `docker run` does: create, and on "no such image" pull and create again).
   */
  async #make(client: DockerClient, ref: ReplicaRef): Promise<'created' | 'exists' | 'cancelled'> {
    const { ctx } = this
    const spec = containerSpec(ctx.job(), ref, ctx.instanceId)
    if (ctx.job().code) {
      // The code volume is filled by a helper container of the same image, before the replica exists.
      await ctx.images.ensure(client, spec.Image, ctx.signal)
      if (this.#cancelled()) return 'cancelled'
      await this.#fillCode(client, spec.Image)
      if (this.#cancelled()) return 'cancelled'
    }
    if (this.#cancelled()) return 'cancelled'
    try {
      // Not cut short by a delete: an aborted request may still create the container after
      // the delete listed the job's containers, leaving it behind. The call has its own limit.
      return await client.createContainer(spec)
    } catch (err) {
      if (!(err instanceof EngineError && err.kind === 'not-found')) throw reason('CreateContainerError', err)
      // No such image (or network): pulled if it is the image, else the engine's words stand.
      if (await ctx.images.ensure(client, spec.Image, ctx.signal)) throw reason('CreateContainerError', err)
    }
    if (this.#cancelled()) return 'cancelled'
    try {
      return await client.createContainer(spec)
    } catch (err) {
      throw reason('CreateContainerError', err)
    }
  }

  /** Fills the job's code volume once; a failure is forgotten, so the next launch tries again. */
  #fillCode(client: DockerClient, image: string): Promise<void> {
    const job = this.ctx.job()
    if (!job.code) return Promise.resolve()
    this.#code ??= fillCodeVolume(client, job, image, {
      instanceId: this.ctx.instanceId,
      env: this.ctx.gitEnv,
      signal: this.ctx.signal,
    }).catch((err) => {
      this.#code = null
      throw err
    })
    return this.#code
  }

  #cancelled(): boolean {
    return this.ctx.signal.aborted || this.ctx.finished()
  }

  /** Holds a PyTorch worker until `<job>-master-0` runs (Docker's DNS answers for it then). */
  async #awaitMaster(ref: ReplicaRef): Promise<boolean> {
    const job = this.ctx.job()
    const hasMaster =
      job.framework === 'PyTorch' &&
      ref.type === 'Worker' &&
      job.replicaSpecs.some((s) => s.type === 'Master' && s.replicas > 0)
    if (!hasMaster) return true
    const master = podName(job.id, 'Master', 0)
    if (!this.ctx.isLive(master)) this.ctx.waiting(ref.pod, `PodInitializing: waiting for ${master} to resolve`)
    while (!this.ctx.isLive(master)) {
      if (this.#cancelled()) return false
      await this.#masterSeen.sleep(MASTER_POLL_MS)
    }
    return true
  }
}

function reason(prefix: string, err: unknown): Error {
  if (err instanceof EngineError && err.kind === 'unreachable') return err
  return new Error(`${prefix}: ${errorText(err)}`)
}
