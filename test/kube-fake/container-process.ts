/**
 * A container run as a local process: the container's `command` + `args` with its env (and
 * `$(VAR)` expansion, as the kubelet does), in its own process group so the whole "container"
 * can be killed, with stdout and stderr captured line by line.
 * @module
 */
import { constants, tmpdir } from 'node:os'
import { LineSplitter } from './container-logs.ts'
import type { Json, KubeObject } from './types.ts'

/** How a process ended. */
export interface ProcessExit {
  exitCode: number
  /** Set when the process could not be started. */
  startError?: string
}

/** A started container process. */
export interface ContainerProcess {
  readonly pid: number
  /** Resolves once the process has exited and its output has been read. */
  readonly exited: Promise<ProcessExit>
  /** Signals the whole process group. */
  kill(signal: NodeJS.Signals): void
}

/** Expands `$(VAR)` from earlier variables; `$$(VAR)` stays literal, unknown names stay as written. */
export function expandVars(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$'
    return name !== undefined && Object.hasOwn(env, name) ? (env[name] as string) : match
  })
}

function fieldRef(pod: KubeObject, path: string): string {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path)
  if (labelOrAnnotation) return pod.metadata[labelOrAnnotation[1] as 'labels']?.[labelOrAnnotation[2] as string] ?? ''
  const values: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? 'default',
    'status.podIP': pod.status?.podIP,
    'status.hostIP': pod.status?.hostIP,
  }
  return values[path] ?? ''
}

/** The process environment of a container: a minimal base, then the container's env in order. */
export function containerEnv(
  pod: KubeObject,
  container: Json,
  base: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = { ...base }
  for (const e of (container.env ?? []) as Json[]) {
    if (typeof e?.name !== 'string') continue
    if (typeof e.value === 'string') env[e.name] = expandVars(e.value, env)
    else if (e.valueFrom?.fieldRef?.fieldPath) env[e.name] = fieldRef(pod, e.valueFrom.fieldRef.fieldPath)
    else if (e.value === undefined && !e.valueFrom) env[e.name] = ''
  }
  return env
}

/** The argv a container runs, after `$(VAR)` expansion; empty when it relies on an image entrypoint. */
export function containerArgv(container: Json, env: Readonly<Record<string, string>>): string[] {
  const argv = [...((container.command ?? []) as string[]), ...((container.args ?? []) as string[])]
  return argv.map((a) => expandVars(String(a), env))
}

function signalExitCode(signal: string | null | undefined): number {
  const n = signal ? constants.signals[signal as NodeJS.Signals] : undefined
  return 128 + (n ?? 9)
}

/** Starts a container process; `onOutput` receives each complete line (and a final partial one). */
export function spawnContainer(
  argv: string[],
  env: Record<string, string>,
  workingDir: string | undefined,
  onOutput: (text: string) => void,
): ContainerProcess {
  let proc: ReturnType<typeof Bun.spawn<'ignore', 'pipe', 'pipe'>>
  try {
    proc = Bun.spawn(argv, {
      env,
      cwd: workingDir ?? tmpdir(),
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      detached: true,
    })
  } catch (err) {
    const message =
      'failed to create containerd task: failed to create shim task: ' +
      `OCI runtime create failed: exec: "${argv[0]}": ${(err as Error).message}`
    return { pid: -1, exited: Promise.resolve({ exitCode: 128, startError: message }), kill: () => {} }
  }
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const splitter = new LineSplitter(onOutput)
    try {
      for await (const chunk of stream) splitter.push(chunk)
    } catch {
      // the pipe closed under us: keep what was read
    }
    splitter.flush()
  }
  const readers = Promise.all([pump(proc.stdout), pump(proc.stderr)])
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid, signal)
    } catch {
      // group already gone
    }
  }
  const exited = (async (): Promise<ProcessExit> => {
    await proc.exited
    // Like a container runtime: when the main process ends, everything else in the container dies.
    killGroup('SIGKILL')
    await Promise.race([readers, Bun.sleep(1000)])
    const signal = proc.signalCode as string | number | null
    return { exitCode: proc.exitCode ?? (typeof signal === 'number' ? 128 + signal : signalExitCode(signal)) }
  })()
  return { pid: proc.pid, exited, kill: killGroup }
}
