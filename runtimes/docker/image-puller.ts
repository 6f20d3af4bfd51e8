/**
 * @module
 * Images are used when present and pulled when not, one pull per image at a
 * time however many replicas wait for it. A failed pull rejects with
 * `ErrImagePull: <the engine's message>`, the reason a kubelet would show.
 */

import { errorText } from '../../src/errors.ts'
import type { DockerClient } from './backend-port.ts'
import { EngineError } from './engine-error.ts'

/** Shared pulls of one runtime. */
export class ImagePuller {
  #pulls = new Map<string, Promise<void>>()

  /**
   * Resolves once `image` is on the engine: true when it was there already, false once pulled.
   * `signal` stops waiting (the pull itself goes on for other replicas that need it).
   * @throws Error `ErrImagePull: …` when the image can be neither found nor pulled
   * @throws EngineError (`unreachable`) when the engine does not answer
   */
  async ensure(client: DockerClient, image: string, signal: AbortSignal): Promise<boolean> {
    if (await client.hasImage(image)) return true
    let pull = this.#pulls.get(image)
    if (!pull) {
      pull = client.pullImage(image).finally(() => this.#pulls.delete(image))
      this.#pulls.set(image, pull)
    }
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason)
      signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    })
    try {
      await Promise.race([pull, aborted])
      return false
    } catch (err) {
      if (signal.aborted || (err instanceof EngineError && err.kind === 'unreachable')) throw err
      throw new Error(`ErrImagePull: ${errorText(err)}`)
    }
  }
}
