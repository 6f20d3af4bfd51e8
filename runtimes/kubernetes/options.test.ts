import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadKubeConfig } from './backend-client.ts'
import { createKubernetesRuntime, detectInCluster } from './index.ts'

const dir = mkdtempSync(join(tmpdir(), 'periscope-kube-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const token = join(dir, 'token')
writeFileSync(token, 'secret')

function kubeconfig(contexts: string[], current: string): string {
  return `apiVersion: v1
kind: Config
clusters:
${contexts.map((c) => `- name: ${c}\n  cluster:\n    server: https://${c}.example:6443`).join('\n')}
users:
- name: u
  user:
    token: t
contexts:
${contexts.map((c) => `- name: ${c}\n  context:\n    cluster: ${c}\n    user: u`).join('\n')}
current-context: ${current}
`
}

describe('detectInCluster', () => {
  test('needs the service address in the environment and the mounted token', () => {
    const env = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }
    expect(detectInCluster(env, token)).toBe(true)
    expect(detectInCluster({}, token)).toBe(false)
    expect(detectInCluster(env, join(dir, 'missing'))).toBe(false)
  })
})

describe('loadKubeConfig', () => {
  test('uses the current context, or the one asked for', () => {
    const yaml = kubeconfig(['a', 'b'], 'a')
    expect(loadKubeConfig({ kubeconfigYaml: yaml }).getCurrentCluster()?.server).toBe('https://a.example:6443')
    expect(loadKubeConfig({ kubeconfigYaml: yaml, context: 'b' }).getCurrentCluster()?.server).toBe(
      'https://b.example:6443',
    )
  })

  test('merges a KUBECONFIG-style list of files, the first file choosing the context', () => {
    const first = join(dir, 'first')
    const second = join(dir, 'second')
    writeFileSync(first, kubeconfig(['a'], 'a'))
    writeFileSync(second, kubeconfig(['b'], 'b'))
    const kc = loadKubeConfig({ kubeconfig: `${first}:${second}` })
    expect(kc.getCurrentContext()).toBe('a')
    expect(
      kc
        .getContexts()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['a', 'b'])
  })

  test('says clearly what is wrong with the configuration', () => {
    expect(() => loadKubeConfig({ kubeconfigYaml: kubeconfig(['a'], 'a'), context: 'nope' })).toThrow(
      'context "nope" is not in the kubeconfig (known: a)',
    )
    expect(() => loadKubeConfig({ kubeconfig: join(dir, 'missing') })).toThrow(
      'kubernetes runtime: cannot load the cluster configuration',
    )
    expect(() => loadKubeConfig({})).toThrow(
      'no cluster configured: pass --kubeconfig (or set KUBECONFIG), or run in a pod with a service account',
    )
  })

  test('creating the runtime connects to nothing', () => {
    const r = createKubernetesRuntime({
      namespace: 'ns',
      instanceId: 'i',
      restartBackoffMs: 10,
      kubeconfigYaml: kubeconfig(['a'], 'a'),
    })
    expect(r.name).toBe('kubernetes')
    expect(r.unavailable()).toBe('the kubernetes runtime has not started')
  })
})
