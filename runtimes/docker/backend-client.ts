/**
 * @module
 * The only importer of dockerode: {@link DockerClient} (backend-port.ts) over it,
 * every failure turned into an {@link EngineError}. Calls that
 * should be quick carry a time limit; streams (events, logs, pulls) do not, and
 * are closed by their consumer.
 */
import Docker from 'dockerode'
import type { ByteStream, DockerClient } from './backend-port.ts'
import type { ContainerFacts } from './backend-status.ts'
import { type EngineAddress, formatDockerHost } from './engine-address.ts'
import { EngineError, engineError } from './engine-error.ts'

/** Settings of {@link createDockerClient}. */
export interface DockerClientOptions {
  /** Limit for calls that should be quick (default 10 000 ms). */
  requestTimeoutMs?: number
}

type Streamish = NodeJS.ReadableStream & { destroy?: () => void }

function byteStream(stream: Streamish): ByteStream {
  return {
    [Symbol.asyncIterator]: () => (stream as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator](),
    close: () => stream.destroy?.(),
  }
}

/** A {@link DockerClient} over dockerode for one engine address. */
export function createDockerClient(address: EngineAddress, options: DockerClientOptions = {}): DockerClient {
  const host = formatDockerHost(address)
  const limit = options.requestTimeoutMs ?? 10_000
  // docker-modem merges DOCKER_HOST & co from process.env under what we pass: set every field it reads.
  const docker = new Docker(
    address.kind === 'socket'
      ? {
          socketPath: address.socketPath,
          host: undefined,
          port: undefined,
          protocol: 'http',
          ca: undefined,
          cert: undefined,
          key: undefined,
          timeout: undefined,
        }
      : {
          host: address.host,
          port: address.port,
          protocol: 'http',
          ca: undefined,
          cert: undefined,
          key: undefined,
          timeout: undefined,
        },
  )
  const quick = (ms = limit) => ({ abortSignal: AbortSignal.timeout(ms) })
  // Image and network inspect ignore abortSignal in dockerode 5: bound them by a race instead.
  const bounded = <T>(promise: Promise<T>, ms = limit): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('no answer in time'), { name: 'TimeoutError' })), ms)
    })
    return Promise.race([promise, late]).finally(() => clearTimeout(timer))
  }

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      throw engineError(err, `${what} (${host})`)
    }
  }
  async function tolerate<T>(what: string, kinds: EngineError['kind'][], fn: () => Promise<T>): Promise<T | null> {
    try {
      return await call(what, fn)
    } catch (err) {
      if (err instanceof EngineError && kinds.includes(err.kind)) return null
      throw err
    }
  }
  const labelFilter = (labels: string[]) => JSON.stringify({ label: labels })
  /**
   * dockerode copies create options into the query string as well as the body, which
   * would put env values in URLs (and in the engine's debug log) and cap labels at
   * the engine's 1 MiB header limit. docker-modem's `_query`/`_body` split them.
   */
  const split = <T>(query: Record<string, string>, body: object, abortSignal: AbortSignal) =>
    ({ _query: query, _body: body, abortSignal }) as unknown as T

  async function inspectContainer(name: string): Promise<ContainerFacts | null> {
    const info = await tolerate('inspect container', ['not-found'], () => docker.getContainer(name).inspect(quick()))
    if (!info) return null
    return {
      name: info.Name.replace(/^\//, ''),
      status: info.State.Status,
      running: info.State.Running,
      exitCode: info.State.ExitCode,
      oomKilled: info.State.OOMKilled,
      startedAt: info.State.StartedAt,
      finishedAt: info.State.FinishedAt,
      created: info.Created,
      labels: info.Config.Labels ?? {},
    }
  }

  return {
    host,
    async ping(timeoutMs = 1000) {
      // ping() is typed without options; dockerode passes them through.
      const ping = docker.ping.bind(docker) as unknown as (opts: { abortSignal: AbortSignal }) => Promise<unknown>
      await call('ping', () => ping(quick(timeoutMs)))
    },
    async hasImage(image) {
      return (await tolerate('inspect image', ['not-found'], () => bounded(docker.getImage(image).inspect()))) !== null
    },
    async pullImage(image, signal) {
      const stream = (await call('pull', () => docker.pull(image, signal ? { abortSignal: signal } : {}))) as Streamish
      let rest = ''
      try {
        for await (const chunk of byteStream(stream)) {
          rest += Buffer.from(chunk).toString('utf8')
          let nl: number
          while ((nl = rest.indexOf('\n')) >= 0) {
            const line = rest.slice(0, nl).trim()
            rest = rest.slice(nl + 1)
            if (!line) continue
            const msg = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } }
            if (msg.error || msg.errorDetail)
              throw new EngineError('rejected', msg.errorDetail?.message ?? msg.error ?? 'pull failed')
          }
        }
      } catch (err) {
        throw err instanceof EngineError ? err : engineError(err, `pull (${host})`)
      } finally {
        stream.destroy?.()
      }
      if (!(await this.hasImage(image)))
        throw new EngineError('rejected', `${image} is not on the engine after the pull`)
    },
    async createNetwork(spec) {
      const made = await tolerate('create network', ['conflict'], () =>
        docker.createNetwork(
          split<Docker.NetworkCreateOptions>({}, { ...spec, CheckDuplicate: true }, AbortSignal.timeout(limit)),
        ),
      )
      return made ? 'created' : 'exists'
    },
    async inspectNetwork(name) {
      const info = await tolerate('inspect network', ['not-found'], () => bounded(docker.getNetwork(name).inspect()))
      return info ? { name: info.Name, created: info.Created, labels: info.Labels ?? {} } : null
    },
    async listNetworks(labels) {
      const list = await call('list networks', () => docker.listNetworks({ filters: labelFilter(labels), ...quick() }))
      return list.map((n) => ({ name: n.Name, created: n.Created, labels: n.Labels ?? {} }))
    },
    async removeNetwork(name) {
      await tolerate('remove network', ['not-found'], () => docker.getNetwork(name).remove(quick()))
    },
    async createContainer(spec, signal) {
      const { name, ...body } = spec
      const abortSignal = signal ? AbortSignal.any([signal, AbortSignal.timeout(limit)]) : AbortSignal.timeout(limit)
      const made = await tolerate('create container', ['conflict'], () =>
        docker.createContainer(split<Docker.ContainerCreateOptions>({ name }, body, abortSignal)),
      )
      return made ? 'created' : 'exists'
    },
    async createVolume(spec) {
      const made = await tolerate('create volume', ['conflict'], async () => {
        const existing = await tolerate('inspect volume', ['not-found'], () =>
          bounded(docker.getVolume(spec.Name).inspect()),
        )
        if (existing) return null
        return docker.createVolume({ ...spec, abortSignal: AbortSignal.timeout(limit) })
      })
      return made ? 'created' : 'exists'
    },
    async removeVolume(name) {
      await tolerate('remove volume', ['not-found', 'conflict'], () => docker.getVolume(name).remove(quick()))
    },
    async putArchive(container, path, tarFile) {
      // A checkout can be large: the limit is for a stalled engine, not a slow copy.
      await call('put archive', () =>
        docker.getContainer(container).putArchive(tarFile, { path, abortSignal: AbortSignal.timeout(limit * 30) }),
      )
    },
    async pathExists(container, path) {
      const found = await tolerate('stat path', ['not-found'], () =>
        docker.getContainer(container).infoArchive({ path, ...quick() }),
      )
      return found !== null
    },
    async startContainer(name) {
      await tolerate('start container', ['not-modified'], () => docker.getContainer(name).start(quick()))
    },
    async stopContainer(name, graceSeconds) {
      await tolerate('stop container', ['not-modified', 'not-found'], () =>
        docker.getContainer(name).stop({ t: graceSeconds, ...quick(limit + graceSeconds * 1000) }),
      )
    },
    async removeContainer(name) {
      // 409 "removal already in progress": someone else is removing it, which is what was asked.
      await tolerate('remove container', ['not-found', 'conflict'], () =>
        docker.getContainer(name).remove({ force: true, ...quick() }),
      )
    },
    inspectContainer,
    async listContainers(labels) {
      const list = await call('list containers', () =>
        docker.listContainers({ all: true, filters: labelFilter(labels), ...quick() }),
      )
      return list.map((c) => ({
        name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
        state: c.State,
        labels: c.Labels ?? {},
      }))
    },
    async containerEvents(labels) {
      const filters = JSON.stringify({ type: ['container'], event: ['start', 'die', 'oom'], label: labels })
      return byteStream((await call('events', () => docker.getEvents({ filters }))) as Streamish)
    },
    async followLogs(name, since) {
      const opts = { follow: true as const, stdout: true, stderr: true, timestamps: true, ...(since ? { since } : {}) }
      return byteStream((await call('logs', () => docker.getContainer(name).logs(opts))) as unknown as Streamish)
    },
  }
}
