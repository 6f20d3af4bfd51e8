/**
 * @module
 * Pure: how a job lies on disk under `<data-dir>/runs/<experimentId>/` (its spec and
 * ports in `job.json`, each replica's working directory and control files), and what
 * one replica is started with (command, working directory, environment). With code sync
 * the job's repository is cloned once into `.code/` and copied into each replica's
 * `code/current/`, where its command starts, as `/code/current` in a container.
 */
import { join } from 'node:path'
import { CHECKOUT_NAME, CODE_PATH_ENV } from '../../src/runtime/code-sync.ts'
import { type JobSpec, type ReplicaRef, replicaRefs } from '../../src/runtime/job.ts'
import { type ReplicaNetwork, replicaEnv } from '../emulated/operator-env.ts'
import type { ReplicaFiles } from './backend-client.ts'
import { freePorts } from './ports.ts'

/** What is kept on disk for a job: its spec and the ports its replicas listen on. */
export interface JobFile {
  job: JobSpec
  ports: Record<string, number>
}

/** In a run dir: the job has finished and its logs are all in the sink; start-up skips it. */
export const FINISHED = 'finished'

/**
 * Ports for every replica that listens: each TF replica; the PyTorch/XGBoost master.
 * Existing ones are kept; new ones are distinct.
 */
export function allocatePorts(job: JobSpec, known: Record<string, number>): Record<string, number> {
  const ports = { ...known }
  const missing = replicaRefs(job).filter(
    (ref) => (job.framework === 'TensorFlow' || ref.type === 'Master') && ports[ref.pod] === undefined,
  )
  const picked = freePorts(missing.length, Object.values(known))
  for (const [i, ref] of missing.entries()) ports[ref.pod] = picked[i]!
  return ports
}

/** The files of one replica: its working directory, and its log, pid and exit code under `.replicas/`. */
export function filesOf(dir: string, pod: string): ReplicaFiles {
  const control = join(dir, '.replicas')
  return {
    cwd: join(dir, pod),
    log: join(control, `${pod}.log`),
    pid: join(control, `${pod}.pid`),
    exit: join(control, `${pod}.exit`),
  }
}

/** The job's own clone of its repository, copied into each replica's {@link replicaCode} checkout. */
export function jobClone(dir: string): string {
  return join(dir, '.code')
}

/** A replica's code dir (`CODE_PATH`) and checkout (`$CODE_PATH/current`), under its working directory. */
export function replicaCode(replicaDir: string): { codePath: string; checkout: string } {
  const codePath = join(replicaDir, 'code')
  return { codePath, checkout: join(codePath, CHECKOUT_NAME) }
}

/**
 * What one replica runs with: its task's command, where it starts (`replicaDir`, or the
 * checkout with code sync), and the operator's environment on top of `baseEnv`.
 */
export function replicaLaunch(
  file: JobFile,
  ref: ReplicaRef,
  baseEnv: Record<string, string>,
  replicaDir: string,
): { command: string; env: Record<string, string>; cwd: string } | null {
  const spec = file.job.replicaSpecs.find((s) => s.type === ref.type)
  if (!spec) return null
  const network: ReplicaNetwork = {
    serviceHost: () => '127.0.0.1',
    shortHost: () => '127.0.0.1',
    port: (pod, fallback) => file.ports[pod] ?? fallback,
  }
  const code = file.job.code ? replicaCode(replicaDir) : null
  // A pod's hostname is its name; the experiment's own HOSTNAME, if it sets one, wins as in a container.
  // CODE_PATH comes last, as Submarine appends it to the container's env.
  return {
    command: spec.command,
    cwd: code?.checkout ?? replicaDir,
    env: {
      ...baseEnv,
      HOSTNAME: ref.pod,
      ...Object.fromEntries(replicaEnv(file.job, ref, network)),
      ...(code ? { [CODE_PATH_ENV]: code.codePath } : {}),
    },
  }
}
