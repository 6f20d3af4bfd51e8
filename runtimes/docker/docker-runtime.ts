/**
 * @module
 * The Docker runtime: each job is a bridge network plus one container per
 * replica, driven by the shared operator emulation (`EmulatedJob`, see
 * `tracked-job.ts`). The engine's event stream (`engine-events.ts`, filtered by
 * this server's instance label) says when containers start and die; a periodic
 * re-list catches what a lost stream missed. Nothing is stored on disk: after a restart every job is rebuilt from
 * labels, `inspect` and the sink's last observation.
 */
import { errorText, RuntimeRejectedError, RuntimeUnavailableError } from '../../src/errors.ts'
import { type JobSpec, replicaRefs } from '../../src/runtime/job.ts'
import { instanceSelector, LABEL } from '../../src/runtime/labels.ts'
import type { Runtime, RuntimeSink, SubmitOptions } from '../../src/runtime/runtime.ts'
import type { ContainerSummary, DockerClient, NetworkFacts } from './backend-port.ts'
import {
  codeHelperName,
  codeVolumeName,
  containerSpec,
  DOCKER_LABEL,
  networkName,
  networkSpec,
} from './backend-spec.ts'
import type { ContainerFacts } from './backend-status.ts'
import { EngineConnection } from './engine-connection.ts'
import { EngineError } from './engine-error.ts'
import { EngineEvents } from './engine-events.ts'
import { ImagePuller } from './image-puller.ts'
import { newestJobSpec, withObservedCounts } from './job-recovery.ts'
import { LogFollowers } from './log-follower.ts'
import type { DockerRuntimeOptions } from './options.ts'
import { DRAIN_TIMEOUT_MS, TrackedJob } from './tracked-job.ts'

/** The Docker {@link Runtime}. */
export class DockerRuntime implements Runtime {
  readonly name = 'docker' as const
  readonly #engine: EngineConnection
  readonly #images = new ImagePuller()
  readonly #followers: LogFollowers
  readonly #jobs = new Map<string, TrackedJob>()
  /**
   * Jobs being deleted by this runtime: a re-list that saw them before they were gone must
   * not adopt them. An id is forgotten once its removal is complete and every re-list that
   * may have seen it is applied, so the set holds only deletions under way (or failed, until
   * retried): nothing is kept per experiment ever deleted.
   */
  readonly #deleted = new Set<string>()
  readonly #grace: number
  readonly #resyncMs: number
  readonly #log: (message: string) => void
  readonly #events: EngineEvents
  #sink: RuntimeSink | null = null
  #resyncTimer: ReturnType<typeof setInterval> | undefined
  #serial: Promise<unknown> = Promise.resolve()
  #disposed = false

  constructor(private readonly options: DockerRuntimeOptions) {
    this.#engine = new EngineConnection(
      { dockerHost: options.dockerHost, env: options.env },
      options.requestTimeoutMs ?? 10_000,
    )
    this.#grace = options.stopGraceSeconds ?? 10
    this.#resyncMs = options.resyncMs ?? 30_000
    this.#log = options.log ?? (() => {})
    this.#followers = new LogFollowers(
      () => this.#sink,
      () => this.#engine.current,
      this.#log,
    )
    this.#events = new EngineEvents({
      engine: this.#engine,
      instanceId: options.instanceId,
      resync: () => this.#exclusive(() => this.#resyncAll(true)),
      apply: (event) =>
        void this.#exclusive(async () => this.#jobs.get(event.jobId)?.apply(event)).catch((err) =>
          this.#log(`event for ${event.pod}: ${errorText(err)}`),
        ),
      log: this.#log,
    })
  }

  async start(sink: RuntimeSink): Promise<void> {
    if (this.#sink) return
    this.#sink = sink
    await this.#events.open()
    this.#resyncTimer = setInterval(() => {
      if (this.#events.connected)
        void this.#exclusive(() => this.#resyncAll(false)).catch((err) =>
          this.#log(`re-list failed: ${errorText(err)}`),
        )
    }, this.#resyncMs)
  }

  async submit(job: JobSpec, options: SubmitOptions = {}): Promise<void> {
    if (!this.#sink) throw new Error('start(sink) must be called before submit')
    this.#validate(job)
    if (this.#jobs.has(job.id)) return
    if (options.launchAfter) await options.launchAfter // nothing is created before the server's record is durable
    this.#deleted.delete(job.id)
    const client = await this.#reachable()
    const made = await this.#call(() => client.createNetwork(networkSpec(job, this.options.instanceId)))
    let containers: ContainerFacts[] = []
    if (made === 'exists') {
      const net = await this.#call(() => client.inspectNetwork(networkName(job.id)))
      if (net && net.labels[LABEL.instance] !== this.options.instanceId) {
        throw new RuntimeRejectedError(
          `a Docker network named ${job.id} exists and belongs to another server (label ${LABEL.instance})`,
          409,
        )
      }
      containers = await this.#call(async () =>
        this.#inspect(client, await client.listContainers(this.#jobSelector(job.id))),
      )
    }
    await this.#exclusive(async () => {
      if (!this.#jobs.has(job.id)) this.#track(job, containers)
    })
  }

  async update(job: JobSpec): Promise<void> {
    this.#validate(job)
    let t = this.#jobs.get(job.id)
    if (!t) {
      const client = await this.#reachable()
      const [nets, containers] = await this.#call(async () =>
        Promise.all([
          client.inspectNetwork(networkName(job.id)),
          this.#inspect(client, await client.listContainers(this.#jobSelector(job.id))),
        ]),
      )
      const ours = nets && nets.labels[LABEL.instance] === this.options.instanceId ? [nets] : []
      if (!ours.length && !containers.length) return this.submit(job)
      await this.#exclusive(async () => {
        if (!this.#jobs.has(job.id) && !this.#deleted.has(job.id)) this.#adopt(job.id, ours, containers)
      })
      t = this.#jobs.get(job.id)
      if (!t) return this.submit(job)
    }
    t.update(job, this.#log)
  }

  async delete(jobId: string): Promise<void> {
    this.#deleted.add(jobId)
    const t = await this.#exclusive(async () => {
      const t = this.#jobs.get(jobId)
      this.#jobs.delete(jobId)
      return t
    })
    if (t) {
      t.close()
      await t.driver.settle()
    }
    const client = await this.#reachable()
    const containers = await this.#call(() => client.listContainers(this.#jobSelector(jobId)))
    await this.#call(() => Promise.all(containers.map((c) => client.stopContainer(c.name, this.#grace))))
    // What the replicas printed while they stopped (a SIGTERM handler's last words) reaches the
    // sink before their containers, and with them their logs, are removed.
    await this.#followers.drained(
      jobId,
      containers.map((c) => c.name),
      DRAIN_TIMEOUT_MS,
    )
    await this.#call(() => Promise.all(containers.map((c) => client.removeContainer(c.name))))
    this.#followers.closeJob(jobId)
    const net = await this.#call(() => client.inspectNetwork(networkName(jobId)))
    if (net && net.labels[LABEL.instance] === this.options.instanceId)
      await this.#call(() => client.removeNetwork(net.name))
    // Code sync: the helper of a fill cut short, and the volume (missing is success).
    await this.#call(() => client.removeContainer(codeHelperName(jobId)))
    await this.#call(() => client.removeVolume(codeVolumeName(jobId)))
    // Containers and network are gone. Re-lists queued before now run first (they may have
    // listed the job before its removal); any later one cannot see it.
    await this.#exclusive(async () => void this.#deleted.delete(jobId))
  }

  /** For tests: how many ids this runtime holds in memory. */
  get testing(): { jobs: number; deleting: number } {
    return { jobs: this.#jobs.size, deleting: this.#deleted.size }
  }

  async owned(): Promise<string[]> {
    const client = await this.#reachable()
    const selector = [instanceSelector(this.options.instanceId)]
    const [nets, containers] = await this.#call(() =>
      Promise.all([client.listNetworks(selector), client.listContainers(selector)]),
    )
    const ids = [...nets, ...containers].map((o) => o.labels[LABEL.experimentId]).filter((id): id is string => !!id)
    return [...new Set(ids)]
  }

  unavailable(): string | null {
    return this.#engine.down
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return
    this.#disposed = true
    clearInterval(this.#resyncTimer)
    const events = this.#events.close()
    for (const t of this.#jobs.values()) t.close()
    await this.#followers.closeAll()
    await Promise.allSettled([...this.#jobs.values()].map((t) => t.driver.settle()))
    this.#jobs.clear()
    await events
  }

  // ---- engine access ---------------------------------------------------------------

  /** A client whose engine answers now. @throws RuntimeUnavailableError with the reason */
  async #reachable(): Promise<DockerClient> {
    try {
      return await this.#engine.connect()
    } catch (err) {
      throw new RuntimeUnavailableError(this.#engine.down ?? errorText(err), { cause: err })
    }
  }

  /**
   * Runs an engine call for the API: unreachable or 5xx → RuntimeUnavailableError,
   * a refusal → RuntimeRejectedError.
   */
  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      if (!(err instanceof EngineError)) throw err
      if (err.kind === 'unreachable' || err.kind === 'server') {
        if (err.kind === 'unreachable') this.#engine.markDown(err)
        throw new RuntimeUnavailableError(`Docker engine: ${err.message}`, { cause: err })
      }
      throw new RuntimeRejectedError(`Docker engine refused: ${err.message}`, err.kind === 'conflict' ? 409 : 400, {
        cause: err,
      })
    }
  }

  /** Inspects the listed containers (those `want` selects); vanished ones are left out. */
  async #inspect(
    client: DockerClient,
    list: ContainerSummary[],
    want: (c: ContainerSummary) => boolean = () => true,
  ): Promise<ContainerFacts[]> {
    const facts = await Promise.all(list.filter(want).map((c) => client.inspectContainer(c.name)))
    return facts.filter((f): f is ContainerFacts => f !== null)
  }

  #jobSelector(jobId: string): string[] {
    return [`${LABEL.experimentId}=${jobId}`, instanceSelector(this.options.instanceId)]
  }

  /** Refuses, before touching the engine, a job no container could be made for. */
  #validate(job: JobSpec): void {
    for (const ref of replicaRefs(job)) containerSpec(job, ref, this.options.instanceId)
  }

  /** Applies engine facts one batch at a time, so an event never overtakes the re-list it follows. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#serial.then(fn, fn)
    this.#serial = next.catch(() => undefined)
    return next
  }

  // ---- re-list and resume ---------------------------------------------------------

  /**
   * Adopts every job of this server found on the engine, and reconciles the ones
   * already tracked. `catchUp` (after the event stream was down) also reads the
   * logs of every container that ran, in case a follower was cut.
   */
  async #resyncAll(catchUp: boolean): Promise<void> {
    const client = this.#engine.current
    if (!client || this.#disposed) return
    await this.#engine.connect() // keeps unavailable() true to the engine between events
    const selector = [instanceSelector(this.options.instanceId)]
    const [nets, containers] = await Promise.all([client.listNetworks(selector), client.listContainers(selector)])
    const byJob = new Map<string, { nets: NetworkFacts[]; containers: ContainerSummary[] }>()
    const group = (id: string | undefined) => {
      if (!id) return null
      let g = byJob.get(id)
      if (!g) byJob.set(id, (g = { nets: [], containers: [] }))
      return g
    }
    for (const n of nets) group(n.labels[LABEL.experimentId])?.nets.push(n)
    for (const c of containers) group(c.labels[LABEL.experimentId])?.containers.push(c)
    for (const [id, g] of byJob) {
      if (this.#disposed || this.#deleted.has(id)) continue
      const t = this.#jobs.get(id)
      if (t) {
        // A finished job's stopped containers have nothing more to say; skip inspecting them.
        const facts = await this.#inspect(
          client,
          g.containers,
          (c) => catchUp || !t.emulated.finished || c.state === 'running' || t.isLive(c.name),
        )
        t.sync(facts, { resuming: false, catchUp }, new Set(g.containers.map((c) => c.name)))
      } else {
        this.#adopt(id, g.nets, await this.#inspect(client, g.containers))
      }
    }
    for (const t of [...this.#jobs.values()]) {
      if (byJob.has(t.job.id)) continue
      // Neither its network nor any container is left (it was tracked, so its network existed
      // before this list): removed outside periscope, like a deleted custom resource. It is let
      // go rather than rebuilt; the server fails its experiment if it had not finished.
      this.#log(`${t.job.id}: its network and containers were removed outside periscope; no longer following it`)
      t.close()
      this.#jobs.delete(t.job.id)
      this.#followers.closeJob(t.job.id)
    }
  }

  /** Rebuilds a job from its labels and the sink's last observation, and resumes it. */
  #adopt(jobId: string, nets: NetworkFacts[], containers: ContainerFacts[]): void {
    const spec = newestJobSpec([...nets, ...containers])
    if (!spec) {
      this.#log(`cannot resume ${jobId}: no ${DOCKER_LABEL.jobSpec} label on its network or containers`)
      return
    }
    this.#track(withObservedCounts(spec, this.#sink?.lastStatus(jobId) ?? null), containers)
  }

  /** Starts driving a job: applies what its containers show, then launches what is missing. */
  #track(job: JobSpec, containers: ContainerFacts[]): void {
    const sink = this.#sink
    if (!sink || this.#disposed) return
    const t = new TrackedJob(job, {
      sink,
      followers: this.#followers,
      restartBackoffMs: this.options.restartBackoffMs,
      driver: {
        instanceId: this.options.instanceId,
        stopGraceSeconds: this.#grace,
        connect: () => this.#engine.connect(),
        current: () => this.#engine.current,
        images: this.#images,
        log: this.#log,
        gitEnv: this.options.env ?? {},
      },
    })
    this.#jobs.set(job.id, t)
    t.begin(containers)
  }
}
