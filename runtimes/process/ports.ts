/**
 * @module
 * Free TCP ports on the loopback interface, for replicas that listen.
 */

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): number {
  const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = server.port
  server.stop(true)
  return port
}

/**
 * `count` distinct free ports, none of them in `taken`. Ports stay bound while they are
 * picked (256 at a time), so the OS does not hand one out twice: asking `freePort`
 * 1,000 times in a row does repeat ports.
 */
export function freePorts(count: number, taken: Iterable<number> = []): number[] {
  const avoid = new Set(taken)
  const picked = new Set<number>()
  while (picked.size < count) {
    const held: Array<{ port: number; stop(closeActiveConnections?: boolean): void }> = []
    try {
      for (let i = 0; i < 256 && picked.size < count; i++) {
        const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
        held.push(server)
        if (!avoid.has(server.port)) picked.add(server.port)
      }
    } finally {
      for (const server of held) server.stop(true)
    }
  }
  return [...picked]
}
