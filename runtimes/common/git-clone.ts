/**
 * @module
 * Clones a code sync repository with the host's `git`, for the process and Docker
 * runtimes (Kubernetes clones in an init container). The credentials reach git through
 * a credential helper that reads them from its environment: they are in no argument
 * (other users can read a process's argv), no URL and no file. Git never prompts
 * (`GIT_TERMINAL_PROMPT=0`), speaks English (`LC_ALL=C`) and may use only network
 * transports. A clone that fails rejects with a {@link JobFailure} naming the
 * repository and git's own error, the password taken out.
 */
import { rename, rm } from 'node:fs/promises'
import { CODE_SYNC_FAILED, codeSyncFailure, GIT_SCHEMES } from '../../src/runtime/code-sync.ts'
import type { CodeSync } from '../../src/runtime/job.ts'
import { JobFailure } from './job-failure.ts'

/** How git is run. */
export interface GitCloneOptions {
  /** `PATH` (to find git) and `HOME`; nothing else of the server's environment is passed. */
  env: Readonly<Record<string, string | undefined>>
  /** A clone that takes longer is killed and fails the job (default 10 minutes). */
  timeoutMs?: number
  /** Aborts the clone (delete, shutdown): it rejects with an ordinary error. */
  signal?: AbortSignal
}

/** Prints the credentials from the environment when git asks for them (`get`), nothing otherwise. */
const CREDENTIAL_HELPER =
  '!f() { test "$1" = get || exit 0; ' +
  'test -n "$PERISCOPE_GIT_USERNAME" && echo "username=$PERISCOPE_GIT_USERNAME"; ' +
  'test -n "$PERISCOPE_GIT_PASSWORD" && echo "password=$PERISCOPE_GIT_PASSWORD"; exit 0; }; f'

/** The argv of the clone; no secret in it. */
export function cloneArgv(code: CodeSync, dest: string): string[] {
  const config = [
    'credential.helper=', // no helper of the user's git config (a stored password for another account)
    `credential.helper=${CREDENTIAL_HELPER}`,
    'protocol.allow=never',
    ...GIT_SCHEMES.map((s) => `protocol.${s}.allow=always`),
    'advice.detachedHead=false',
    ...(code.trustCerts ? ['http.sslVerify=false'] : []),
  ]
  return [
    'git',
    ...config.flatMap((c) => ['-c', c]),
    'clone',
    '--quiet',
    '--depth=1',
    '--single-branch',
    `--branch=${code.branch}`,
    '--',
    code.url,
    dest,
  ]
}

/** The clone's environment: PATH and HOME of `base`, git kept quiet, the credentials for the helper. */
export function cloneEnv(code: CodeSync, base: GitCloneOptions['env']): Record<string, string> {
  const env: Record<string, string> = {
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true', // a prompt that would be needed answers empty: the clone fails instead of waiting
    SSH_ASKPASS: 'true',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    LC_ALL: 'C',
  }
  env.PATH = base.PATH || '/usr/local/bin:/usr/bin:/bin'
  if (base.HOME) env.HOME = base.HOME
  if (code.username) env.PERISCOPE_GIT_USERNAME = code.username
  if (code.password) env.PERISCOPE_GIT_PASSWORD = code.password
  return env
}

/**
 * Clones `code` into `dest` (which must not exist): into a sibling first, renamed once
 * complete, so `dest` is either absent or a whole checkout.
 * @throws JobFailure when git fails or times out
 */
export async function gitClone(code: CodeSync, dest: string, options: GitCloneOptions): Promise<void> {
  const partial = `${dest}.partial-${crypto.randomUUID().slice(0, 8)}`
  const timeoutMs = options.timeoutMs ?? 600_000
  let proc: ReturnType<typeof Bun.spawn>
  try {
    proc = Bun.spawn(cloneArgv(code, partial), {
      env: cloneEnv(code, options.env),
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
    })
  } catch (err) {
    throw new JobFailure(CODE_SYNC_FAILED, codeSyncFailure(code, `cannot run git on the server: ${String(err)}`))
  }
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    proc.kill('SIGKILL')
  }, timeoutMs)
  const abort = () => proc.kill('SIGKILL')
  options.signal?.addEventListener('abort', abort, { once: true })
  try {
    const [code_, stderr] = await Promise.all([proc.exited, new Response(proc.stderr as ReadableStream).text()])
    if (options.signal?.aborted) throw new Error('code sync aborted')
    if (timedOut)
      throw new JobFailure(CODE_SYNC_FAILED, codeSyncFailure(code, `git clone took more than ${timeoutMs / 1000} s`))
    if (code_ !== 0) throw new JobFailure(CODE_SYNC_FAILED, codeSyncFailure(code, gitError(stderr, code_)))
    await rename(partial, dest)
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', abort)
    await rm(partial, { recursive: true, force: true }).catch(() => undefined)
  }
}

/** Git's complaint: its `fatal:`/`error:` lines if any, else its last lines; at most 1,000 characters. */
export function gitError(stderr: string, exitCode: number): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  const told = lines.filter((l) => /^(fatal|error):/.test(l))
  const text = (told.length > 0 ? told : lines.slice(-3)).join('; ')
  return (text || `git exited with code ${exitCode}`).slice(0, 1000)
}
