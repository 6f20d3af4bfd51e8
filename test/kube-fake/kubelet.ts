/**
 * The fake kubelet: admits every pod, runs its containers as local processes (when `runPods`),
 * captures their output per container instance, restarts them in place under OnFailure/Always
 * with a doubling CrashLoopBackOff, reports status through the store, and kills them when the pod
 * is deleted. Test hooks can append log lines and make a container exit with a code.
 * Init containers with a command (or an image in `images`) run as processes too, one after the
 * other; the PyTorch `nslookup` one is answered from pod readiness. Each `emptyDir` volume is a
 * host directory per pod: a `workingDir` or env value under a mount path points into it (the
 * processes share the host's file system, so this is how two containers share a volume). A
 * failed container with `terminationMessagePolicy: FallbackToLogsOnError` gets its log tail as
 * its termination message.
 * @module
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rfc3339 } from './clock.ts'
import type { ContainerLog, LogRegistry } from './container-logs.ts'
import {
  type ContainerProcess,
  containerArgv,
  containerEnv,
  type ProcessExit,
  spawnContainer,
} from './container-process.ts'
import { jsonEqual } from './json-values.ts'
import type { ObjectStore, StoreEvent } from './object-store.ts'
import { type ContainerView, podStatus } from './pod-status.ts'
import type { Json, KubeObject } from './types.ts'

/** Kubelet knobs. */
export interface KubeletOptions {
  /** Run containers as processes; otherwise they "run" idle until a hook ends them. */
  runPods: boolean
  /** First CrashLoopBackOff delay; doubles per restart, capped at 30×. */
  restartBackoffMs: number
  /** Delay before containers start, during which they wait in ContainerCreating. */
  startDelayMs: number
  /** What an image's entrypoint runs on this host, for containers that give no command. */
  images?: Readonly<Record<string, readonly string[]>>
}

interface Instance {
  id: string
  log: ContainerLog
  startedAt: string
  proc?: ContainerProcess
  forcedExit?: number
  done: boolean
}

interface ContainerRun extends ContainerView {
  spec: Json
  isInit: boolean
  nextBackoffMs: number
  current?: Instance
  restartTimer?: ReturnType<typeof setTimeout>
}

interface PodRun {
  ns: string
  name: string
  uid: string
  restartPolicy: string
  initContainers: ContainerRun[]
  containers: ContainerRun[]
  initDone: boolean
  startTime: string
  podIP: string
  deleting: boolean
  timers: Set<ReturnType<typeof setTimeout>>
  /** Host directory of each emptyDir volume, by volume name. */
  volumes: Map<string, string>
}

/** Process groups still running, killed if the test process exits without stopping the fake. */
const liveGroups = new Set<ContainerProcess>()
process.once('exit', () => {
  for (const proc of liveGroups) proc.kill('SIGKILL')
})

function nslookupTarget(spec: Json): string | undefined {
  const text = [...(spec.command ?? []), ...(spec.args ?? [])].join(' ')
  return /nslookup\s+([A-Za-z0-9.-]+)/.exec(text)?.[1]
}

function newContainerID(): string {
  return `containerd://${crypto.randomUUID().replace(/-/g, '')}${crypto.randomUUID().replace(/-/g, '')}`
}

/** Runs pods. One per fake server. */
export class Kubelet {
  readonly #store: ObjectStore
  readonly #logs: LogRegistry
  readonly #options: KubeletOptions
  readonly #pods = new Map<string, PodRun>()
  #ipCounter = 1
  #unsubscribe = () => {}

  constructor(store: ObjectStore, logs: LogRegistry, options: KubeletOptions) {
    this.#store = store
    this.#logs = logs
    this.#options = options
  }

  /** Starts watching the store for pods. */
  start(): void {
    this.#unsubscribe = this.#store.subscribe((e) => this.#onEvent(e))
  }

  /** Kills every process and waits (briefly) for them to end. */
  async stop(): Promise<void> {
    this.#unsubscribe()
    const exits: Promise<unknown>[] = []
    for (const run of this.#pods.values()) {
      for (const t of run.timers) clearTimeout(t)
      for (const c of [...run.initContainers, ...run.containers]) {
        if (c.restartTimer) clearTimeout(c.restartTimer)
        if (c.current?.proc && !c.current.done) {
          c.current.proc.kill('SIGKILL')
          exits.push(c.current.proc.exited)
        }
      }
      run.deleting = true
    }
    await Promise.race([Promise.all(exits), Bun.sleep(2000)])
    for (const run of this.#pods.values())
      for (const dir of run.volumes.values()) rmSync(dir, { recursive: true, force: true })
    this.#pods.clear()
  }

  /** Appends a line to the running (or last) instance of a container. */
  appendLog(namespace: string, pod: string, container: string, line: string): void {
    const { c } = this.#find(namespace, pod, container)
    const id = c.current?.id ?? c.containerID
    const log = id ? this.#logs.get(id) : undefined
    if (!log) throw new Error(`container ${container} in pod ${namespace}/${pod} has not started`)
    log.append(line.endsWith('\n') ? line : `${line}\n`)
  }

  /** Makes the running instance of a container exit with a code (killing its process if any). */
  exitContainer(namespace: string, pod: string, container: string, code: number): void {
    const { run, c } = this.#find(namespace, pod, container)
    const inst = c.current
    if (!inst || inst.done) throw new Error(`container ${container} in pod ${namespace}/${pod} is not running`)
    if (inst.proc) {
      inst.forcedExit = code
      inst.proc.kill('SIGKILL')
    } else {
      this.#onExit(run, c, inst, { exitCode: code })
    }
  }

  #find(namespace: string, pod: string, container: string): { run: PodRun; c: ContainerRun } {
    const run = [...this.#pods.values()].find((r) => r.ns === namespace && r.name === pod)
    if (!run) throw new Error(`pod ${namespace}/${pod} is not running on the fake kubelet`)
    const c = [...run.containers, ...run.initContainers].find((x) => x.name === container)
    if (!c) throw new Error(`pod ${namespace}/${pod} has no container ${container}`)
    return { run, c }
  }

  #onEvent(e: StoreEvent): void {
    if (e.plural !== 'pods') return
    const uid = e.object.metadata.uid as string
    if (e.type === 'ADDED') this.#admit(e.object)
    else if (e.type === 'DELETED') this.#forget(uid)
    else {
      const run = this.#pods.get(uid)
      if (run && !run.deleting && e.object.metadata.deletionTimestamp)
        this.#terminate(run, e.object.metadata.deletionGracePeriodSeconds ?? 30)
      for (const waiting of this.#pods.values()) if (!waiting.initDone && waiting !== run) this.#tryInit(waiting)
    }
  }

  #admit(pod: KubeObject): void {
    const spec: Json = pod.spec ?? {}
    const inits: Json[] = spec.initContainers ?? []
    const make = (c: Json, isInit: boolean): ContainerRun => ({
      name: c.name,
      image: c.image ?? '',
      spec: c,
      isInit,
      state: {
        waiting: {
          reason: isInit || inits.length === 0 ? (isInit ? 'PodInitializing' : 'ContainerCreating') : 'PodInitializing',
        },
      },
      lastState: {},
      restartCount: 0,
      nextBackoffMs: this.#options.restartBackoffMs,
    })
    const n = this.#ipCounter++
    const run: PodRun = {
      ns: pod.metadata.namespace as string,
      name: pod.metadata.name,
      uid: pod.metadata.uid as string,
      restartPolicy: spec.restartPolicy ?? 'Always',
      initContainers: inits.map((c) => make(c, true)),
      containers: (spec.containers ?? []).map((c: Json) => make(c, false)),
      initDone: inits.length === 0,
      startTime: rfc3339(),
      podIP: `10.244.${Math.floor(n / 250)}.${(n % 250) + 2}`,
      deleting: false,
      timers: new Set(),
      volumes: new Map(
        ((spec.volumes ?? []) as Json[])
          .filter((v) => v?.emptyDir && typeof v.name === 'string')
          .map((v) => [v.name as string, mkdtempSync(join(tmpdir(), 'kube-fake-volume-'))]),
      ),
    }
    this.#pods.set(run.uid, run)
    this.#writeStatus(run)
    const begin = () => (run.initDone ? this.#startAll(run) : this.#tryInit(run))
    if (this.#options.startDelayMs <= 0) begin()
    else {
      const t = setTimeout(() => {
        run.timers.delete(t)
        if (!run.deleting) begin()
      }, this.#options.startDelayMs)
      run.timers.add(t)
    }
  }

  #podReady(ns: string, name: string): boolean {
    const pod = this.#store.get('pods', ns, name)
    return (
      pod?.status?.phase === 'Running' &&
      (pod.status.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True')
    )
  }

  #tryInit(run: PodRun): void {
    if (run.deleting || run.initDone || !this.#pods.has(run.uid)) return
    for (const c of run.initContainers) {
      if (c.state.terminated?.exitCode === 0) continue
      if (c.state.terminated || c.restartTimer) return
      const target = nslookupTarget(c.spec)
      if (c.current?.proc) return // a real process: its exit carries on
      // The nslookup init container is answered from readiness; any other one runs.
      if (!c.current) this.#startContainer(run, c, this.#options.runPods && !target)
      if (c.current?.proc) return
      // The PyTorch init container loops on `nslookup <job>-master-0`: headless DNS answers once that pod is ready.
      if (target && !this.#podReady(run.ns, target)) return
      this.#onExit(run, c, c.current as Instance, { exitCode: 0 })
      return
    }
    run.initDone = true
    for (const c of run.containers) c.state = { waiting: { reason: 'ContainerCreating' } }
    this.#startAll(run)
  }

  #startAll(run: PodRun): void {
    for (const c of run.containers) if (!c.current) this.#startContainer(run, c, this.#options.runPods, false)
    this.#writeStatus(run)
  }

  #baseEnv(run: PodRun): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOSTNAME: run.name,
      HOME: tmpdir(),
    }
  }

  #startContainer(run: PodRun, c: ContainerRun, spawn: boolean, write = true): void {
    const id = newContainerID()
    const inst: Instance = { id, log: this.#logs.open(run.uid, id), startedAt: rfc3339(), done: false }
    c.current = inst
    c.containerID = id
    c.state = { running: { startedAt: inst.startedAt } }
    if (spawn) {
      const pod = this.#store.get('pods', run.ns, run.name)
      const env = this.#onHost(
        run,
        c,
        containerEnv(pod ?? { metadata: { name: run.name, namespace: run.ns } }, c.spec, this.#baseEnv(run)),
      )
      const given = containerArgv(c.spec, env)
      const argv = given.length > 0 ? given : [...(this.#options.images?.[c.image] ?? [])]
      if (argv.length > 0) {
        const workingDir = typeof c.spec.workingDir === 'string' ? this.#hostPath(run, c, c.spec.workingDir) : undefined
        const cwd = workingDir && existsSync(workingDir) ? workingDir : undefined
        const proc = spawnContainer(argv, env, cwd, (text) => inst.log.append(text))
        inst.proc = proc
        liveGroups.add(proc)
        proc.exited.then((exit) => {
          liveGroups.delete(proc)
          this.#onExit(run, c, inst, exit)
        })
      }
    }
    if (write) this.#writeStatus(run)
  }

  /** A path inside the container as the host sees it: under an emptyDir mount, in that volume's directory. */
  #hostPath(run: PodRun, c: ContainerRun, path: string): string {
    for (const m of (c.spec.volumeMounts ?? []) as Json[]) {
      const dir = run.volumes.get(m?.name)
      const at = typeof m?.mountPath === 'string' ? m.mountPath.replace(/\/+$/, '') : ''
      if (dir && at && (path === at || path.startsWith(`${at}/`))) return dir + path.slice(at.length)
    }
    return path
  }

  #onHost(run: PodRun, c: ContainerRun, env: Record<string, string>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v.startsWith('/') ? this.#hostPath(run, c, v) : v]),
    )
  }

  /** The kubelet's FallbackToLogsOnError: the last 80 lines, at most 2,048 bytes, of a failed container's log. */
  #logTail(c: ContainerRun, inst: Instance, code: number): string | undefined {
    if (code === 0 || c.spec.terminationMessagePolicy !== 'FallbackToLogsOnError') return undefined
    const text = inst.log.entries
      .map((e) => e.text)
      .join('')
      .split('\n')
      .slice(-81)
      .join('\n')
      .trim()
    return text ? text.slice(-2048) : undefined
  }

  #onExit(run: PodRun, c: ContainerRun, inst: Instance, exit: ProcessExit): void {
    if (inst.done) return
    inst.done = true
    const code = inst.forcedExit ?? exit.exitCode
    inst.log.end()
    if (c.current === inst) c.current = undefined
    if (!this.#pods.has(run.uid)) return
    const tail = exit.startError ? undefined : this.#logTail(c, inst, code)
    const terminated = {
      exitCode: code,
      reason: exit.startError ? 'StartError' : code === 0 ? 'Completed' : 'Error',
      ...(exit.startError ? { message: exit.startError } : tail ? { message: tail } : {}),
      startedAt: inst.startedAt,
      finishedAt: rfc3339(),
      containerID: inst.id,
    }
    if (run.deleting) {
      c.state = { terminated }
      this.#removeIfStopped(run)
      return
    }
    const restart = run.restartPolicy === 'Always' || (run.restartPolicy === 'OnFailure' && code !== 0)
    if (restart) {
      const delay = c.nextBackoffMs
      c.nextBackoffMs = Math.min(delay * 2, this.#options.restartBackoffMs * 30)
      c.restartCount++
      c.lastState = { terminated }
      const shown = delay >= 1000 ? `${Math.round(delay / 1000)}s` : `${delay}ms`
      c.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${shown} restarting failed container=${c.name} pod=${run.name}_${run.ns}(${run.uid})`,
        },
      }
      c.restartTimer = setTimeout(() => {
        c.restartTimer = undefined
        if (run.deleting || !this.#pods.has(run.uid)) return
        if (c.isInit) this.#tryInit(run)
        else this.#startContainer(run, c, this.#options.runPods)
      }, delay)
      this.#writeStatus(run)
      return
    }
    c.state = { terminated }
    this.#writeStatus(run)
    if (c.isInit && code === 0) this.#tryInit(run)
  }

  #terminate(run: PodRun, graceSeconds: number): void {
    run.deleting = true
    for (const t of run.timers) clearTimeout(t)
    run.timers.clear()
    for (const c of [...run.initContainers, ...run.containers]) {
      if (c.restartTimer) clearTimeout(c.restartTimer)
      c.restartTimer = undefined
      const inst = c.current
      if (!inst || inst.done) continue
      if (!inst.proc) {
        this.#onExit(run, c, inst, { exitCode: 137 })
        continue
      }
      const proc = inst.proc
      proc.kill(graceSeconds === 0 ? 'SIGKILL' : 'SIGTERM')
      if (graceSeconds > 0) {
        const t = setTimeout(() => proc.kill('SIGKILL'), Math.min(graceSeconds, 1) * 1000)
        run.timers.add(t)
      }
    }
    this.#removeIfStopped(run)
  }

  #removeIfStopped(run: PodRun): void {
    const live = [...run.initContainers, ...run.containers].some((c) => c.current && !c.current.done)
    if (live) return
    // A real kubelet confirms the deletion on its next pod sync: until then the pod and its logs remain.
    const t = setTimeout(() => {
      const pod = this.#store.get('pods', run.ns, run.name)
      if (pod && pod.metadata.uid === run.uid) this.#store.remove('pods', run.ns, run.name)
      this.#forget(run.uid)
    }, 100)
    run.timers.add(t)
  }

  #forget(uid: string): void {
    const run = this.#pods.get(uid)
    if (!run) return
    this.#pods.delete(uid)
    for (const dir of run.volumes.values()) rmSync(dir, { recursive: true, force: true })
    for (const t of run.timers) clearTimeout(t)
    for (const c of [...run.initContainers, ...run.containers]) {
      if (c.restartTimer) clearTimeout(c.restartTimer)
      if (c.current?.proc && !c.current.done) c.current.proc.kill('SIGKILL')
    }
    this.#logs.dropPod(uid)
  }

  #writeStatus(run: PodRun): void {
    const pod = this.#store.get('pods', run.ns, run.name)
    if (!pod || pod.metadata.uid !== run.uid) return
    const status = podStatus(run, pod.status?.conditions, rfc3339())
    if (jsonEqual(pod.status, status)) return
    this.#store.update('pods', { ...pod, status })
  }
}
