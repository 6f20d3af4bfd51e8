/**
 * @module
 * The narrow port to the Docker engine: just the calls the runtime makes.
 * `backend-client.ts` implements it over dockerode.
 */

import type { ContainerSpec, HelperSpec, NetworkSpec, VolumeSpec } from './backend-spec.ts'
import type { ContainerFacts } from './backend-status.ts'

/** A byte stream from the engine; `close` ends it early. */
export interface ByteStream extends AsyncIterable<Uint8Array> {
  close(): void
}

/** A container as listed (no exit code or times: inspect for those). */
export interface ContainerSummary {
  name: string
  /** `created`, `running`, `exited`, … */
  state: string
  labels: Record<string, string>
}

/** What the runtime needs to know about a network. */
export interface NetworkFacts {
  name: string
  created: string
  labels: Record<string, string>
}

/** The engine calls the Docker runtime makes. */
export interface DockerClient {
  /** The address dialled (`unix:///var/run/docker.sock`, `tcp://host:2375`). */
  readonly host: string
  ping(timeoutMs?: number): Promise<void>
  hasImage(image: string): Promise<boolean>
  /** Pulls an image to the end; rejects with the registry's message. */
  pullImage(image: string, signal?: AbortSignal): Promise<void>
  /** `exists` when a network of that name is already there. */
  createNetwork(spec: NetworkSpec): Promise<'created' | 'exists'>
  inspectNetwork(name: string): Promise<NetworkFacts | null>
  /** Networks carrying every `key=value` label given. */
  listNetworks(labels: string[]): Promise<NetworkFacts[]>
  /** Missing is success. */
  removeNetwork(name: string): Promise<void>
  /** `exists` when a container of that name is already there. */
  createContainer(spec: ContainerSpec | HelperSpec, signal?: AbortSignal): Promise<'created' | 'exists'>
  /** `exists` when a volume of that name is already there. */
  createVolume(spec: VolumeSpec): Promise<'created' | 'exists'>
  /** Missing or still in use is success (a volume in use is removed with its last container). */
  removeVolume(name: string): Promise<void>
  /** Extracts a tar file (a host path) into `path` of a container, started or not. */
  putArchive(container: string, path: string, tarFile: string): Promise<void>
  /** True when `path` exists in a container (its volumes included), started or not. */
  pathExists(container: string, path: string): Promise<boolean>
  /** Starting a running container is success. */
  startContainer(name: string): Promise<void>
  /** SIGTERM, then SIGKILL after `graceSeconds`. Stopped or missing is success. */
  stopContainer(name: string, graceSeconds: number): Promise<void>
  /** Force-removes. Missing is success. */
  removeContainer(name: string): Promise<void>
  inspectContainer(name: string): Promise<ContainerFacts | null>
  /** Containers (any state) carrying every `key=value` label given. */
  listContainers(labels: string[]): Promise<ContainerSummary[]>
  /** Newline-separated JSON events of containers carrying the labels: start, die, oom. */
  containerEvents(labels: string[]): Promise<ByteStream>
  /** Multiplexed, timestamped stdout+stderr of a container, followed until it stops. */
  followLogs(name: string, since: string | undefined): Promise<ByteStream>
}
