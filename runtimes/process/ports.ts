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
