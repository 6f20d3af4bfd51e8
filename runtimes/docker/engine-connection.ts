/**
 * @module
 * Which engine the runtime talks to, and whether it answers. An explicit
 * address is used as given; otherwise the usual sockets are tried and the first
 * that answers a ping is kept (and looked for again after it stops answering).
 */

import { errorText } from '../../src/errors.ts'
import { createDockerClient } from './backend-client.ts'
import type { DockerClient } from './backend-port.ts'
import { parseDockerHost } from './engine-address.ts'
import { EngineError } from './engine-error.ts'
import { type EngineLookup, engineCandidates } from './engine-probe.ts'

export { detectDockerEngine, type EngineLookup } from './engine-probe.ts'

async function pingAll(hosts: string[], timeoutMs: number): Promise<DockerClient | null> {
  const answers = await Promise.all(
    hosts.map(async (host) => {
      try {
        const client = createDockerClient(parseDockerHost(host))
        await client.ping(timeoutMs)
        return client
      } catch {
        return null
      }
    }),
  )
  return answers.find((c) => c !== null) ?? null
}

/** The runtime's link to its engine. */
export class EngineConnection {
  #client: DockerClient | null = null
  #down: string | null = null
  readonly #hosts: string[]
  readonly #fixed: boolean
  /** The ping under way, shared by whoever asks meanwhile. */
  #pending: { timeoutMs: number; answer: Promise<DockerClient> } | null = null

  constructor(
    private readonly lookup: EngineLookup,
    private readonly requestTimeoutMs: number,
  ) {
    this.#hosts = engineCandidates(lookup)
    this.#fixed = lookup.dockerHost !== undefined
    if (this.#fixed) {
      try {
        this.#client = createDockerClient(parseDockerHost(lookup.dockerHost!), { requestTimeoutMs })
      } catch (err) {
        this.#down = errorText(err)
      }
    }
  }

  /** Why the engine cannot be used right now, or null when it answered last time. */
  get down(): string | null {
    return this.#down
  }

  /** The client last connected, without checking it still answers (null before the first connect). */
  get current(): DockerClient | null {
    return this.#client
  }

  /**
   * A client whose engine answered a ping just now. Callers that ask while a ping is under way
   * (the replicas of a job launching together) share its answer rather than each pinging.
   * @throws EngineError (`unreachable`) with the reason, also kept in {@link down}
   */
  connect(timeoutMs = this.lookup.timeoutMs ?? 1000): Promise<DockerClient> {
    if (this.#pending?.timeoutMs === timeoutMs) return this.#pending.answer
    const answer = this.#connect(timeoutMs).finally(() => {
      if (this.#pending?.answer === answer) this.#pending = null
    })
    this.#pending = { timeoutMs, answer }
    return answer
  }

  async #connect(timeoutMs: number): Promise<DockerClient> {
    if (this.#fixed && !this.#client) throw new EngineError('unreachable', this.#down ?? 'no Docker engine address')
    if (this.#client) {
      try {
        await this.#client.ping(timeoutMs)
        this.#down = null
        return this.#client
      } catch (err) {
        if (this.#fixed) throw this.markDown(err)
      }
    }
    const found = await pingAll(this.#hosts, timeoutMs)
    if (!found) throw this.markDown(new Error(`no Docker engine answers at ${this.#hosts.join(', ')}`))
    this.#client = createDockerClient(parseDockerHost(found.host), { requestTimeoutMs: this.requestTimeoutMs })
    this.#down = null
    return this.#client
  }

  /** Records that the engine failed to answer; returns the error to throw. */
  markDown(err: unknown): EngineError {
    const message = errorText(err)
    this.#down = `Docker engine unreachable: ${message}`
    return err instanceof EngineError ? err : new EngineError('unreachable', message, null, { cause: err })
  }

  /** The engine answered. */
  markUp(): void {
    this.#down = null
  }
}
