/**
 * @module
 * One replica as a local process group. The command runs in a subshell of a small
 * wrapper shell that appends its stdout and stderr to the replica's log file and
 * records its exit code in a file, so a replica survives a server crash and a
 * restarted server can still learn how it ended. One shell is exec'd per replica.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { constants } from 'node:os'

// $1 = the command, $2 = log file, $3 = exit-code file. `periscope-replica` is $0, for ps.
// The command runs in a forked subshell, not in a second `sh -c`: each exec of a shell cost
// ~0.7 ms of a launch (bench/figures/process-start.ts). The subshell sends its output to the
// log, clears the positional parameters and evaluates the command, as `sh -c` would; only `$0`
// and `$$` (the wrapper's) tell them apart. SIGTERM goes to the whole group. The wrapper starts
// the command, then catches SIGTERM and waits on until the command has handled it, so "wrapper
// gone" means "nothing left to print", and the exit code is still recorded. The subshell is
// forked before the trap is set, so the command never inherits it; as a background job of a
// non-interactive shell it has SIGINT and SIGQUIT ignored, which nothing here sends. The
// subshell opens the log itself: what the wrapper's shell says about its job stays out of it.
// The exit code is written in place, in one write (no `mv`: its fork and exec doubled what a
// short replica cost); an empty file, the wrapper killed between the open and the write,
// reads as no code recorded.
const WRAPPER =
  '(exec >>"$2" 2>&1; eval "set --; $1") & child=$!; trap : TERM; ' +
  'wait $child; code=$?; while kill -0 $child 2>/dev/null; do wait $child; code=$?; done; ' +
  'echo "$code" >"$3"; exit "$code"'

/** Files of one replica. */
export interface ReplicaFiles {
  /** Working directory of the command. */
  cwd: string
  log: string
  pid: string
  exit: string
}

/** Starts one attempt; resolves with its pid and a promise of its exit code. */
export function spawnReplica(
  command: string,
  env: Record<string, string>,
  files: ReplicaFiles,
): { pid: number; exited: Promise<number> } {
  rmSync(files.exit, { force: true })
  const proc = Bun.spawn(['sh', '-c', WRAPPER, 'periscope-replica', command, files.log, files.exit], {
    cwd: files.cwd,
    env,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'ignore',
    detached: true,
  })
  writeFileSync(files.pid, String(proc.pid))
  const exited = proc.exited.then((code) => exitCodeOf(files) ?? signalCode(proc.signalCode) ?? code)
  return { pid: proc.pid, exited }
}

/** The recorded exit code of the last attempt, if it ended by itself. */
export function exitCodeOf(files: ReplicaFiles): number | null {
  const text = readText(files.exit)?.trim()
  if (!text) return null // missing, or opened and not yet written
  const code = Number(text)
  return Number.isInteger(code) ? code : null
}

/** A file's text, or null when it is missing (a finished job's control files are removed in the background). */
function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

/** True while `pid` exists and is not a zombie. */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')
  } catch {
    return true // no /proc (not Linux): trust kill(0)
  }
}

/**
 * The pid recorded for the replica, if its process group still runs. Used after a
 * restart, when the process is not our child: the pid must still be our wrapper for
 * this log file (pid reuse).
 */
export function livePid(files: ReplicaFiles): number | null {
  const text = readText(files.pid)
  if (text === null) return null
  const pid = Number(text.trim())
  if (!Number.isInteger(pid) || pid <= 0 || !running(pid)) return null
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    if (!cmdline.includes('periscope-replica') || !cmdline.includes(files.log)) return null
  } catch {
    // No /proc (not Linux): trust kill(0).
  }
  return pid
}

/** Waits until `pid` is gone, checking every `intervalMs`. */
export async function waitForExit(files: ReplicaFiles, intervalMs = 200): Promise<void> {
  while (livePid(files) !== null) await Bun.sleep(intervalMs)
}

/**
 * SIGTERM to the replica's process group, SIGKILL after `graceMs`. `pid` is the
 * process this server spawned, when it did (it may not have exec'd the wrapper yet,
 * so its command line cannot be checked); otherwise the recorded pid is verified.
 */
export async function stopReplica(files: ReplicaFiles, graceMs: number, pid: number | null = null): Promise<void> {
  const target = pid !== null && running(pid) ? pid : livePid(files)
  if (target === null) return
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-target, sig)
    } catch {
      // already gone
    }
  }
  signal('SIGTERM')
  const deadline = Date.now() + graceMs
  while (running(target) && Date.now() < deadline) await Bun.sleep(50)
  if (running(target)) signal('SIGKILL')
  while (running(target)) await Bun.sleep(20)
}

function signalCode(signal: string | number | null | undefined): number | null {
  if (typeof signal === 'number') return 128 + signal
  if (!signal) return null
  const n = (constants.signals as Record<string, number>)[signal]
  return n === undefined ? null : 128 + n
}
