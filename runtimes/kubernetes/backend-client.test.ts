import { afterAll, describe, expect, test } from 'bun:test'
import { createKubeClient } from './backend-client.ts'
import { TEST_CERT, TEST_KEY } from './testing/tls-fixture.ts'

const seen: Array<{ url: string; auth: string | null; type: string | null }> = []
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  tls: { cert: TEST_CERT, key: TEST_KEY },
  fetch: (req) => {
    seen.push({ url: req.url, auth: req.headers.get('authorization'), type: req.headers.get('content-type') })
    return Response.json({
      kind: 'TFJobList',
      apiVersion: 'kubeflow.org/v1',
      metadata: { resourceVersion: '7' },
      items: [],
    })
  },
})
afterAll(() => server.stop(true))

const kubeconfig = (ca: string | null) => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:${server.port}
${ca ? `    certificate-authority-data: ${Buffer.from(ca).toString('base64')}` : ''}
users:
- name: u
  user:
    token: secret-token
contexts:
- name: x
  context: {cluster: c, user: u}
current-context: x
`
const ref = { group: 'kubeflow.org', version: 'v1', plural: 'tfjobs', namespace: 'team-a' }

describe('the client transport', () => {
  // Bun ignores client-node's undici dispatcher: the CA must reach Bun's fetch as its `tls` option.
  test('trusts the cluster CA of the kubeconfig and sends its credentials', async () => {
    const port = createKubeClient({ kubeconfigYaml: kubeconfig(TEST_CERT) })
    expect((await port.list(ref, 'periscope.io/instance=i')).metadata?.resourceVersion).toBe('7')
    await port.mergePatch(ref, 'exp-1', { spec: {} })
    expect(seen.at(-2)).toEqual({
      url: expect.stringContaining(
        '/apis/kubeflow.org/v1/namespaces/team-a/tfjobs?labelSelector=periscope.io%2Finstance%3Di',
      ),
      auth: 'Bearer secret-token',
      type: null,
    })
    expect(seen.at(-1)!.type).toBe('application/merge-patch+json')
  })

  test('refuses a server whose certificate the kubeconfig does not trust', async () => {
    const port = createKubeClient({ kubeconfigYaml: kubeconfig(null) })
    await expect(port.list(ref, '')).rejects.toThrow()
  })
})
