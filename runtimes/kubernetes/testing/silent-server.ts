/**
 * @module
 * A TCP listener that accepts connections and never answers them, like an API server
 * behind a black-holing load balancer; switched to relay, later connections reach a
 * real server. Test-only.
 */

import type { AddressInfo } from 'node:net'
import { connect, createServer, type Socket } from 'node:net'

export interface SilentServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** From now on, new connections are relayed to this port on 127.0.0.1 (null: silent again). */
  relayTo(port: number | null): void
  /** Connections accepted so far. */
  readonly accepted: number
  close(): Promise<void>
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>()
  let target: number | null = null
  let accepted = 0
  const track = (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => s.destroy())
  }
  const server = createServer((client) => {
    accepted += 1
    track(client)
    if (target === null) return // accepted, read, never answered
    const upstream = connect(target, '127.0.0.1')
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    relayTo(port) {
      target = port
    },
    get accepted() {
      return accepted
    },
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
