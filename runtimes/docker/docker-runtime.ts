/**
 * @module
 * The Docker runtime: each job is a bridge network plus one container per
 * replica, driven by the shared operator emulation ({@link EmulatedJob}). The
 * engine's event stream (filtered by this server's instance label) says when
 * containers start and die; a periodic re-list catches what a lost stream
 * missed. Nothing is stored on disk: after a restart every job is rebuilt from
 * labels, `inspect` and the sink's last observation.
 */
import { RuntimeRejectedError, RuntimeUnavailableError } from '../../src/errors.ts'
import { EmulatedJob } from '../../src/runtime/emulated-operator.ts'
import { type JobSpec, replicaRefs } from '../../src/runtime/job.ts'
import type { JobObservation } from '../../src/runtime/job-status.ts'
import { LABEL, type RuntimeBaseOptions, instanceSelector } from '../../src/runtime/labels.ts'
import type { Runtime, RuntimeSink } from '../../src/runtime/runtime.ts'
import { containerSpec, networkName, networkSpec } from './container-spec.ts'
import { type ContainerFacts, type ReplicaEvent, type SyncAction, factsTime, hasStarted, parseEvent, syncAction } from './container-status.ts'
import type { ByteStream, ContainerSummary, DockerClient, NetworkFacts } from './docker-client.ts'
import { EngineConnection, type EngineLookup } from './engine-connection.ts'
import { EngineError } from './engine-error.ts'
import { ImagePuller } from './image-puller.ts'
import { newestJobSpec, withObservedCounts } from './job-recovery.ts'
import { LogFollowers } from './log-follower.ts'
import { DockerReplicaDriver } from './replica-driver.ts'
import { eventTime, isoMillis } from './timestamps.ts'

/** Options of {@link createDockerRuntime}; the server parses them from its flags and environment. */
export interface DockerRuntimeOptions extends RuntimeBaseOptions, Pick<EngineLookup, 'dockerHost' | 'env'> {
  /** Seconds between SIGTERM and SIGKILL when a container is stopped (default 10). */
  stopGraceSeconds?: number
  /** Safety-net re-list of every container, in ms (default 30 000). */
  resyncMs?: number
  /** Limit for engine calls that should be quick, in ms (default 10 000). */
  requestTimeoutMs?: number
  /** Where to say what went wrong in the background (default: nowhere). */
  log?: (message: string) => void
}

/** One job this runtime drives. */
interface Tracked {
  job: JobSpec
  emulated: EmulatedJob
  driver: DockerReplicaDriver
  /** Pods whose container was last seen running. */
  live: Set<string>
  /** Pods whose container the kernel OOM-killed (until its die event). */
  oom: Set<string>
  /** Per pod, the engine time of the newest fact applied; older facts are stale. */
  seen: Map<string, bigint>
  abort: AbortController
  /** Time the emulated operator reads while a past fact is applied (its event or inspect time). */
  clock: string | null
  /** Deleted or disposed: reports are dropped. */
  closed: boolean
}

/** The Docker {@link Runtime}. */
export class DockerRuntime implements Runtime {
  readonly name = 'docker' as const
  readonly #engine: EngineConnection
  readonly #images = new ImagePuller()
  readonly #followers: LogFollowers
  readonly #jobs = new Map<string, Tracked>()
  /** Jobs deleted by this runtime: a re-list that saw them before they were gone must not adopt them. */
  readonly #deleted = new Set<string>()
  readonly #grace: number
  readonly #resyncMs: number
  readonly #log: (message: string) => void
  #sink: RuntimeSink | null = null
  #events: ByteStream | null = null
  #connected = false
  #loop: Promise<void> = Promise.resolve()
  #resyncTimer: ReturnType<typeof setInterval> | undefined
  #serial: Promise<unknown> = Promise.resolve()
  #disposed = false
  #wake: (() => void) | null = null

  constructor(private readonly options: DockerRuntimeOptions) {
    this.#engine = new EngineConnection({ dockerHost: options.dockerHost, env: options.env }, options.requestTimeoutMs ?? 10_000)
    this.#grace = options.stopGraceSeconds ?? 10
    this.#resyncMs = options.resyncMs ?? 30_000
    this.#log = options.log ?? (() => {})
    this.#followers = new LogFollowers(() => this.#sink, () => this.#engine.current, this.#log)
  }

  async start(sink: RuntimeSink): Promise<void> {
    if (this.#sink) return
    this.#sink = sink
    let firstPass!: () => void
    const ready = new Promise<void>((resolve) => (firstPass = resolve))
    this.#loop = this.#watch(firstPass)
    await ready
    this.#resyncTimer = setInterval(() => {
      if (this.#connected) void this.#exclusive(() => this.#resyncAll(false)).catch((err) => this.#log(`re-list failed: ${message(err)}`))
    }, this.#resyncMs)
  }

  async submit(job: JobSpec): Promise<void> {
    if (!this.#sink) throw new Error('start(sink) must be called before submit')
    this.#validate(job)
    if (this.#jobs.has(job.id)) return
    this.#deleted.delete(job.id)
    const client = await this.#reachable()
    const made = await this.#call(() => client.createNetwork(networkSpec(job, this.options.instanceId)))
    let containers: ContainerFacts[] = []
    if (made === 'exists') {
      const net = await this.#call(() => client.inspectNetwork(networkName(job.id)))
      if (net && net.labels[LABEL.instance] !== this.options.instanceId) {
        throw new RuntimeRejectedError(`a Docker network named ${job.id} exists and belongs to another server (label ${LABEL.instance})`, 409)
      }
      containers = await this.#call(async () => this.#inspect(client, await client.listContainers(this.#jobSelector(job.id))))
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
        Promise.all([client.inspectNetwork(networkName(job.id)), this.#inspect(client, await client.listContainers(this.#jobSelector(job.id)))]),
      )
      const ours = nets && nets.labels[LABEL.instance] === this.options.instanceId ? [nets] : []
      if (!ours.length && !containers.length) return this.submit(job)
      await this.#exclusive(async () => {
        if (!this.#jobs.has(job.id) && !this.#deleted.has(job.id)) this.#adopt(job.id, ours, containers)
      })
      t = this.#jobs.get(job.id)
      if (!t) return this.submit(job)
    }
    t.job = job
    const tracked = t
    void tracked.emulated.update(job).catch((err) => this.#log(`update of ${job.id}: ${message(err)}`))
    // Reports the new replica list at once (the sink keeps it across restarts) and launches new replicas.
    void tracked.emulated.run()
  }

  async delete(jobId: string): Promise<void> {
    this.#deleted.add(jobId)
    const t = await this.#exclusive(async () => {
      const t = this.#jobs.get(jobId)
      this.#jobs.delete(jobId)
      return t
    })
    if (t) {
      this.#close(t)
      await t.driver.settle()
    }
    const client = await this.#reachable()
    const containers = await this.#call(() => client.listContainers(this.#jobSelector(jobId)))
    await this.#call(() => Promise.all(containers.map((c) => client.stopContainer(c.name, this.#grace))))
    await this.#call(() => Promise.all(containers.map((c) => client.removeContainer(c.name))))
    this.#followers.closeJob(jobId)
    const net = await this.#call(() => client.inspectNetwork(networkName(jobId)))
    if (net && net.labels[LABEL.instance] === this.options.instanceId) await this.#call(() => client.removeNetwork(net.name))
  }

  async owned(): Promise<string[]> {
    const client = await this.#reachable()
    const selector = [instanceSelector(this.options.instanceId)]
    const [nets, containers] = await this.#call(() => Promise.all([client.listNetworks(selector), client.listContainers(selector)]))
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
    this.#events?.close()
    this.#wake?.()
    for (const t of this.#jobs.values()) this.#close(t)
    await this.#followers.closeAll()
    await Promise.allSettled([...this.#jobs.values()].map((t) => t.driver.settle()))
    this.#jobs.clear()
    await this.#loop
  }

  // ---- engine access ---------------------------------------------------------------

  /** A client whose engine answers now. @throws RuntimeUnavailableError with the reason */
  async #reachable(): Promise<DockerClient> {
    try {
      return await this.#engine.connect()
    } catch (err) {
      throw new RuntimeUnavailableError(this.#engine.down ?? message(err), { cause: err })
    }
  }

  /** Runs an engine call for the API: unreachable or 5xx → RuntimeUnavailableError, a refusal → RuntimeRejectedError. */
  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      if (!(err instanceof EngineError)) throw err
      if (err.kind === 'unreachable' || err.kind === 'server') {
        if (err.kind === 'unreachable') this.#engine.markDown(err)
        throw new RuntimeUnavailableError(`Docker engine: ${err.message}`, { cause: err })
      }
      throw new RuntimeRejectedError(`Docker engine refused: ${err.message}`, err.kind === 'conflict' ? 409 : 400, { cause: err })
    }
  }

  /** Inspects the listed containers (those `want` selects); vanished ones are left out. */
  async #inspect(client: DockerClient, list: ContainerSummary[], want: (c: ContainerSummary) => boolean = () => true): Promise<ContainerFacts[]> {
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

  // ---- the event stream --------------------------------------------------------------

  /** Subscribes to events, re-lists, applies events until the stream ends; retries with back-off. */
  async #watch(firstPass: () => void): Promise<void> {
    let backoff = 250
    while (!this.#disposed) {
      try {
        const client = await this.#engine.connect()
        const stream = await client.containerEvents([instanceSelector(this.options.instanceId)])
        this.#events = stream
        if (this.#disposed) {
          stream.close()
          break
        }
        // Subscribed first, then listed: nothing that happens in between is missed.
        await this.#exclusive(() => this.#resyncAll(true))
        this.#connected = true
        backoff = 250
        firstPass()
        await this.#consume(stream)
      } catch (err) {
        if (err instanceof EngineError && err.kind === 'unreachable') this.#engine.markDown(err)
        else if (!this.#disposed) this.#log(`docker event stream: ${message(err)}`)
      } finally {
        this.#connected = false
        this.#events = null
      }
      firstPass()
      if (this.#disposed) break
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      backoff = Math.min(backoff * 2, 10_000)
    }
  }

  async #consume(stream: ByteStream): Promise<void> {
    let rest = ''
    const decoder = new TextDecoder()
    for await (const chunk of stream) {
      rest += decoder.decode(chunk, { stream: true })
      let nl: number
      while ((nl = rest.indexOf('\n')) >= 0) {
        const event = parseEvent(rest.slice(0, nl))
        rest = rest.slice(nl + 1)
        if (event) void this.#exclusive(async () => this.#apply(event)).catch((err) => this.#log(`event for ${event.pod}: ${message(err)}`))
      }
    }
  }

  #apply(e: ReplicaEvent): void {
    const t = this.#jobs.get(e.jobId)
    if (!t || t.closed) return
    if (e.timeNano < (t.seen.get(e.pod) ?? 0n)) return
    t.seen.set(e.pod, e.timeNano)
    const at = eventTime(Number(e.timeNano), undefined)
    if (e.action === 'oom') {
      t.oom.add(e.pod)
      return
    }
    if (e.action === 'start') {
      this.#followers.follow(t.job.id, e.pod, true)
      if (t.live.has(e.pod)) return
      t.live.add(e.pod)
      if (t.emulated.finished) void t.driver.stop({ ...refOf(t, e.pod) })
      else this.#at(t, at, () => t.emulated.running(e.pod))
      t.driver.wake()
      return
    }
    if (!t.live.delete(e.pod)) return
    this.#exited(t, e.pod, e.exitCode ?? 255, at, t.oom.delete(e.pod))
  }

  #exited(t: Tracked, pod: string, exitCode: number, at: string | null, oom: boolean): void {
    this.#at(t, at, () => t.emulated.exited(pod, exitCode))
    const replica = t.emulated.observation.replicas.find((r) => r.pod === pod)
    if (oom && exitCode !== 0 && replica && !t.emulated.finished) {
      t.emulated.waiting(pod, `CrashLoopBackOff: attempt ${replica.restartCount + 1} was OOMKilled (exit code ${exitCode})`)
    }
  }

  /** Runs `fn` with the emulated operator's clock set to when the fact happened. */
  #at(t: Tracked, at: string | null, fn: () => void): void {
    t.clock = at
    try {
      fn()
    } finally {
      t.clock = null
    }
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
        const facts = await this.#inspect(client, g.containers, (c) => catchUp || !t.emulated.finished || c.state === 'running' || t.live.has(c.name))
        const listed = new Set(g.containers.map((c) => c.name))
        this.#sync(t, facts, { resuming: false, catchUp }, listed)
      } else {
        this.#adopt(id, g.nets, await this.#inspect(client, g.containers))
      }
    }
    for (const t of this.#jobs.values()) if (!byJob.has(t.job.id)) this.#sync(t, [], { resuming: false, catchUp })
  }

  /** Rebuilds a job from its labels and the sink's last observation, and resumes it. */
  #adopt(jobId: string, nets: NetworkFacts[], containers: ContainerFacts[]): void {
    const spec = newestJobSpec([...nets, ...containers])
    if (!spec) {
      this.#log(`cannot resume ${jobId}: no ${'periscope.io/job-spec'} label on its network or containers`)
      return
    }
    this.#track(withObservedCounts(spec, this.#sink?.lastStatus(jobId) ?? null), containers)
  }

  /** Starts driving a job: applies what its containers show, then launches what is missing. */
  #track(job: JobSpec, containers: ContainerFacts[]): void {
    const sink = this.#sink
    if (!sink || this.#disposed) return
    const abort = new AbortController()
    const t = {
      job,
      live: new Set<string>(),
      oom: new Set<string>(),
      seen: new Map<string, bigint>(),
      abort,
      clock: null,
      closed: false,
    } as unknown as Tracked
    t.driver = new DockerReplicaDriver({
      job: () => t.job,
      instanceId: this.options.instanceId,
      signal: abort.signal,
      stopGraceSeconds: this.#grace,
      connect: () => this.#engine.connect(),
      current: () => this.#engine.current,
      images: this.#images,
      isLive: (pod) => t.live.has(pod),
      finished: () => t.emulated.finished,
      waiting: (pod, reason) => t.emulated.waiting(pod, reason),
      log: this.#log,
    })
    const report = (o: JobObservation) => {
      if (!t.closed) sink.status(o)
    }
    const now = () => t.clock ?? new Date().toISOString()
    t.emulated = new EmulatedJob(job, t.driver, report, { restartBackoffMs: this.options.restartBackoffMs, now }, sink.lastStatus(job.id))
    this.#jobs.set(job.id, t)
    this.#sync(t, containers, { resuming: true, catchUp: true })
    void t.emulated.run()
  }

  /**
   * Reconciles a tracked job with its containers (see {@link syncAction}).
   * `listed` names containers that exist but were not inspected (not missing).
   */
  #sync(t: Tracked, containers: ContainerFacts[], mode: { resuming: boolean; catchUp: boolean }, listed: ReadonlySet<string> = new Set()): void {
    const { resuming, catchUp } = mode
    if (t.closed) return
    const byPod = new Map(containers.map((c) => [c.name, c]))
    const wanted = new Set(t.emulated.observation.replicas.map((r) => r.pod))
    for (const c of containers) {
      // After a gap, read what was written while no one followed; otherwise follow what runs.
      if (c.running || (catchUp && hasStarted(c))) this.#followers.follow(t.job.id, c.name)
      // Left over from a scale-down the server did not see through: the operator deletes such pods.
      if (!wanted.has(c.name)) void t.driver.stop({ ...refOf(t, c.name) })
    }
    for (const replica of t.emulated.observation.replicas) {
      const c = byPod.get(replica.pod) ?? null
      if (!c && listed.has(replica.pod)) continue
      if (c && factsTime(c) < (t.seen.get(replica.pod) ?? 0n)) continue
      if (t.emulated.finished) {
        if (c?.running) void t.driver.stop(replica)
        if (c && !c.running && t.live.delete(replica.pod)) this.#at(t, isoMillis(c.finishedAt), () => t.emulated.exited(replica.pod, c.exitCode))
        continue
      }
      const action = syncAction(replica, c, { live: t.live.has(replica.pod), launching: t.driver.isLaunching(replica.pod), resuming })
      if (c) t.seen.set(replica.pod, factsTime(c))
      this.#act(t, replica.pod, action, c)
    }
    if (!resuming && !t.emulated.finished) void t.emulated.run()
  }

  #act(t: Tracked, pod: string, action: SyncAction, c: ContainerFacts | null): void {
    if (action.kind === 'running') {
      t.live.add(pod)
      this.#at(t, isoMillis(c?.startedAt), () => t.emulated.running(pod))
      t.driver.wake()
    } else if (action.kind === 'exited') {
      if (!action.sawStart) this.#at(t, isoMillis(c?.startedAt), () => t.emulated.running(pod))
      t.live.delete(pod)
      this.#exited(t, pod, action.exitCode, isoMillis(c?.finishedAt), c?.oomKilled ?? false)
    }
  }

  #close(t: Tracked): void {
    t.closed = true
    t.abort.abort()
    t.emulated.dispose()
  }
}

/** The replica a pod name belongs to (type and index from its name; only `pod` matters to `stop`). */
function refOf(t: Tracked, pod: string) {
  const ref = replicaRefs(t.job).find((r) => r.pod === pod)
  return ref ?? { type: 'Worker' as const, index: -1, pod }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
