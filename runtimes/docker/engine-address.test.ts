import { describe, expect, test } from 'bun:test'
import { dockerHostCandidates, formatDockerHost, parseDockerHost } from './engine-address.ts'

describe('dockerHostCandidates', () => {
  test('lists DOCKER_HOST first, then the system, rootless, Desktop and Podman sockets', () => {
    expect(
      dockerHostCandidates({ DOCKER_HOST: 'tcp://10.0.0.1:2375', XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/me' }),
    ).toEqual([
      'tcp://10.0.0.1:2375',
      'unix:///var/run/docker.sock',
      'unix:///run/user/1000/docker.sock',
      'unix:///home/me/.docker/run/docker.sock',
      'unix:///run/user/1000/podman/podman.sock',
      'unix:///run/podman/podman.sock',
    ])
  })

  test('skips what the environment does not name, and duplicates', () => {
    expect(dockerHostCandidates({ DOCKER_HOST: 'unix:///var/run/docker.sock' })).toEqual([
      'unix:///var/run/docker.sock',
      'unix:///run/podman/podman.sock',
    ])
    expect(dockerHostCandidates()).toEqual(['unix:///var/run/docker.sock', 'unix:///run/podman/podman.sock'])
  })
})

describe('parseDockerHost', () => {
  test('reads unix sockets with or without the scheme', () => {
    expect(parseDockerHost('unix:///tmp/d.sock')).toEqual({ kind: 'socket', socketPath: '/tmp/d.sock' })
    expect(parseDockerHost('/tmp/d.sock')).toEqual({ kind: 'socket', socketPath: '/tmp/d.sock' })
  })

  test('reads plain tcp addresses, port 2375 by default', () => {
    expect(parseDockerHost('tcp://docker:2375')).toEqual({ kind: 'tcp', host: 'docker', port: 2375 })
    expect(parseDockerHost('tcp://10.1.2.3')).toEqual({ kind: 'tcp', host: '10.1.2.3', port: 2375 })
    expect(parseDockerHost('http://[::1]:2380/')).toEqual({ kind: 'tcp', host: '::1', port: 2380 })
  })

  test('refuses TLS, ssh and malformed addresses with the form expected', () => {
    expect(() => parseDockerHost('tcp://docker:2376')).toThrow('TLS engines (port 2376) are not supported')
    expect(() => parseDockerHost('ssh://me@host')).toThrow('expected unix:///path/to/docker.sock or tcp://host:port')
    expect(() => parseDockerHost('unix://relative.sock')).toThrow('expected unix:///absolute/path')
  })

  test('formats addresses back canonically', () => {
    expect(formatDockerHost(parseDockerHost('/tmp/d.sock'))).toBe('unix:///tmp/d.sock')
    expect(formatDockerHost(parseDockerHost('http://[::1]:2380'))).toBe('tcp://[::1]:2380')
  })
})
