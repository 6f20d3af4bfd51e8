/**
 * @module
 * The engine's event stream of this server's containers, kept open: subscribed, then a
 * re-list (so nothing that happens in between is missed), then every event handed on until
 * the stream ends; then again, with back-off, until closed.
 */
import { errorText } from '../../src/errors.ts'
import { instanceSelector } from '../../src/runtime/labels.ts'
import { Wakeup } from '../common/backoff.ts'
import { LineSplitter } from '../common/line-splitter.ts'
import type { ByteStream } from './backend-port.ts'
import { parseEvent, type ReplicaEvent } from './backend-status.ts'
import type { EngineConnection } from './engine-connection.ts'
import { EngineError } from './engine-error.ts'

export interface EngineEventsOptions {
  engine: EngineConnection
  instanceId: string
  /** Re-lists everything, after each subscription (before its events are handed on). */
  resync(): Promise<void>
  /** One event of a container of this server. */
  apply(event: ReplicaEvent): void
  log(message: string): void
}

/** The event stream, re-opened whenever it ends. */
export class EngineEvents {
  #stream: ByteStream | null = null
  #connected = false
  #closed = false
  readonly #retry = new Wakeup()
  #loop: Promise<void> = Promise.resolve()

  constructor(private readonly o: EngineEventsOptions) {}

  /** True while subscribed and past the re-list that followed. */
  get connected(): boolean {
    return this.#connected
  }

  /** Starts following; resolves after the first attempt (re-listed, or failed). */
  open(): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>()
    this.#loop = this.#watch(resolve)
    return promise
  }

  /** Ends the stream and resolves once the loop has stopped. */
  async close(): Promise<void> {
    this.#closed = true
    this.#stream?.close()
    this.#retry.wake()
    await this.#loop
  }

  async #watch(firstPass: () => void): Promise<void> {
    let backoff = 250
    while (!this.#closed) {
      try {
        const client = await this.o.engine.connect()
        const stream = await client.containerEvents([instanceSelector(this.o.instanceId)])
        this.#stream = stream
        if (this.#closed) {
          stream.close()
          break
        }
        // Subscribed first, then listed: nothing that happens in between is missed.
        await this.o.resync()
        this.#connected = true
        backoff = 250
        firstPass()
        await this.#consume(stream)
      } catch (err) {
        if (err instanceof EngineError && err.kind === 'unreachable') this.o.engine.markDown(err)
        else if (!this.#closed) this.o.log(`docker event stream: ${errorText(err)}`)
      } finally {
        this.#connected = false
        this.#stream = null
      }
      firstPass()
      if (this.#closed) break
      await this.#retry.sleep(backoff)
      backoff = Math.min(backoff * 2, 10_000)
    }
  }

  async #consume(stream: ByteStream): Promise<void> {
    const lines = new LineSplitter()
    for await (const chunk of stream) {
      for (const line of lines.push(chunk)) {
        const event = parseEvent(line)
        if (event) this.o.apply(event)
      }
    }
  }
}
