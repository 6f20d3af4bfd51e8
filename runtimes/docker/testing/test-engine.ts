/**
 * @module
 * For Docker-backed tests: the engine to use (`DOCKER_HOST`, else the usual
 * sockets), the test image, and a runtime factory that cleans up after itself.
 * With no engine the tests skip, unless `PERISCOPE_REQUIRE_DOCKER=1`.
 */
import { describe, test } from 'bun:test'
import type { Runtime } from '../../../src/runtime/runtime.ts'
import { createDockerClient } from '../backend-client.ts'
import type { DockerClient } from '../backend-port.ts'
import { parseDockerHost } from '../engine-address.ts'
import { detectDockerEngine } from '../engine-connection.ts'
import { createDockerRuntime, type DockerRuntimeOptions } from '../index.ts'

/** The image CI builds on its private engine (FROM scratch + static busybox, PATH=/bin). */
export const TEST_IMAGE = 'periscope-test/busybox:latest'

const required = process.env.PERISCOPE_REQUIRE_DOCKER === '1'

/** The engine address, or the reason there is none usable. */
export async function findTestEngine(): Promise<{ host: string; client: DockerClient } | { reason: string }> {
  const host = await detectDockerEngine({ env: process.env, timeoutMs: 2000 })
  if (!host) return { reason: `no Docker engine answered (DOCKER_HOST=${process.env.DOCKER_HOST ?? 'unset'})` }
  const client = createDockerClient(parseDockerHost(host))
  if (!(await client.hasImage(TEST_IMAGE)))
    return { reason: `${TEST_IMAGE} is not on the engine at ${host} (scripts/dockerd.sh start builds it)` }
  return { host, client }
}

/** `describe` when an engine answers; otherwise a skip with the reason, or a failure when Docker is required. */
export function describeWithDocker(
  title: string,
  engine: Awaited<ReturnType<typeof findTestEngine>>,
  body: (e: { host: string; client: DockerClient }) => void,
): void {
  if ('host' in engine) {
    describe(title, () => body(engine))
  } else if (required) {
    test(`${title}: PERISCOPE_REQUIRE_DOCKER=1 but ${engine.reason}`, () => {
      throw new Error(engine.reason)
    })
  } else {
    describe.skip(`${title} (skipped: ${engine.reason})`, () => test('needs a Docker engine', () => {}))
  }
}

/** A unique instance id per test file, so runs never see each other's objects. */
export function testInstanceId(): string {
  return `periscope-test-${crypto.randomUUID().slice(0, 8)}`
}

/** Runtime options for tests: short restart back-off and stop grace. */
export function testOptions(
  host: string,
  instanceId: string,
  over: Partial<DockerRuntimeOptions> = {},
): DockerRuntimeOptions {
  return {
    namespace: 'default',
    instanceId,
    restartBackoffMs: 100,
    dockerHost: host,
    stopGraceSeconds: 1,
    resyncMs: 2000,
    log: (m) => console.error('RTLOG', m),
    ...over,
  }
}

/** Deletes every job the instance still owns on the engine. */
export async function removeAll(host: string, instanceId: string): Promise<void> {
  const runtime: Runtime = createDockerRuntime(testOptions(host, instanceId, { stopGraceSeconds: 0 }))
  try {
    for (const id of await runtime.owned()) await runtime.delete(id)
  } finally {
    await runtime.dispose()
  }
}

export interface EngineProxy {
  close(): void
}

/** Relays a Unix socket to the engine's, so a test can take the engine away and bring it back. */
export async function startProxy(path: string, target: string): Promise<EngineProxy> {
  const { createServer, connect } = await import('node:net')
  const { rmSync } = await import('node:fs')
  rmSync(path, { force: true })
  const sockets = new Set<import('node:net').Socket>()
  const server = createServer((client) => {
    const upstream = connect(target)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => s.destroy())
    }
    client.pipe(upstream).on('close', () => client.destroy())
    upstream.pipe(client).on('close', () => upstream.destroy())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(path, resolve))
  return {
    close() {
      server.close()
      for (const s of sockets) s.destroy()
      rmSync(path, { force: true })
    },
  }
}
