/**
 * @module
 * Fills a job's code volume before its first replica container is made. The clone runs
 * with the server host's git (`common/git-clone.ts`), then goes into the volume as a tar
 * through a helper container that is created on the replica's image and never started:
 * no image with git is needed and nothing is pulled, so it works air-gapped and with a
 * remote engine (`tcp://`), where a bind mount of a host directory would not. The tar
 * ends with a marker, so a volume is known to be whole; a volume with the marker is not
 * filled again (a restart, or a scale-up of a running job).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CHECKOUT_NAME, CODE_MOUNT_PATH } from '../../src/runtime/code-sync.ts'
import type { JobSpec } from '../../src/runtime/job.ts'
import { type GitCloneOptions, gitClone } from '../common/git-clone.ts'
import type { DockerClient } from './backend-port.ts'
import { codeHelperSpec, volumeSpec } from './backend-spec.ts'

/** Written last into a filled volume (beside `current/`). */
export const FILLED_MARKER = '.periscope-code-synced'

/** What filling needs besides the job. */
export interface FillOptions extends GitCloneOptions {
  instanceId: string
}

/**
 * Makes sure the job's code volume holds its checkout; `image` is the replica's (already on the engine).
 * @throws JobFailure when git fails; an engine error otherwise (the launch is retried)
 */
export async function fillCodeVolume(client: DockerClient, job: JobSpec, image: string, options: FillOptions) {
  const code = job.code
  if (!code) return
  await client.createVolume(volumeSpec(job, options.instanceId))
  const helper = codeHelperSpec(job, image, options.instanceId)
  await client.removeContainer(helper.name) // left by a fill the server did not finish
  await client.createContainer(helper)
  try {
    if (await client.pathExists(helper.name, `${CODE_MOUNT_PATH}/${FILLED_MARKER}`)) return
    const dir = await mkdtemp(join(tmpdir(), 'periscope-code-'))
    try {
      await gitClone(code, join(dir, CHECKOUT_NAME), options)
      await writeFile(join(dir, FILLED_MARKER), `${new Date().toISOString()}\n`)
      const tarFile = join(dir, '..', `${dir.split('/').pop()}.tar`)
      try {
        await tar(dir, tarFile)
        await client.putArchive(helper.name, CODE_MOUNT_PATH, tarFile)
      } finally {
        await rm(tarFile, { force: true })
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  } finally {
    await client.removeContainer(helper.name).catch(() => undefined)
  }
}

/** The checkout then the marker, in that order (a tar is extracted in order), with modes and symlinks. */
async function tar(dir: string, tarFile: string): Promise<void> {
  const proc = Bun.spawn(['tar', '-cf', tarFile, '-C', dir, CHECKOUT_NAME, FILLED_MARKER], {
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
  })
  const [exit, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
  if (exit !== 0) throw new Error(`tar of the checkout failed: ${err.trim() || `exit code ${exit}`}`)
}
