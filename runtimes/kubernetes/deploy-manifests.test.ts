import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { REQUIRED_RULES } from './permissions.ts'

const DEPLOY = `${import.meta.dir}/../../deploy/kubernetes`

async function docs(file: string): Promise<Array<Record<string, any>>> {
  const parsed = Bun.YAML.parse(await Bun.file(`${DEPLOY}/${file}`).text())
  return (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, any>>
}

describe('deploy/kubernetes', () => {
  test('the Role grants exactly the rules the runtime needs', async () => {
    const role = (await docs('rbac.yaml')).find((d) => d.kind === 'Role')!
    expect(role.rules).toEqual(REQUIRED_RULES)
  })

  test('the RoleBinding gives that Role to the Deployment service account', async () => {
    const rbac = await docs('rbac.yaml')
    const binding = rbac.find((d) => d.kind === 'RoleBinding')!
    const account = rbac.find((d) => d.kind === 'ServiceAccount')!
    const deployment = (await docs('deployment.yaml'))[0]!
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'periscope' })
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace },
    ])
    expect(deployment.spec.template.spec.serviceAccountName).toBe(account.metadata.name)
  })

  test('the Deployment serves the kubernetes runtime on all interfaces, with tokens, /data on the claim', async () => {
    const deployment = (await docs('deployment.yaml'))[0]!
    const pod = deployment.spec.template.spec
    const [container] = pod.containers
    expect(container.args).toEqual([
      'serve',
      '--host',
      '0.0.0.0',
      '--runtime',
      'kubernetes',
      '--namespace',
      '$(POD_NAMESPACE)',
      '--data-dir',
      '/data',
      '--auth',
      'token',
      '--token-file',
      '/var/run/periscope/token',
      '--public-host',
      'periscope,periscope.$(POD_NAMESPACE),periscope.$(POD_NAMESPACE).svc,' +
        'periscope.$(POD_NAMESPACE).svc.cluster.local',
    ])
    expect(container.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' })
    const claim = (await docs('pvc.yaml'))[0]!
    expect(pod.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: claim.metadata.name } })
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' })
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' })
    expect(deployment.spec.replicas).toBe(1)
    expect(deployment.spec.strategy.type).toBe('Recreate')
  })

  test('the Service exposes port 32080 to the Deployment pods', async () => {
    const service = (await docs('service.yaml'))[0]!
    const deployment = (await docs('deployment.yaml'))[0]!
    expect(service.spec.ports).toEqual([{ name: 'http', port: 32080, targetPort: 'http' }])
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels)
    expect(deployment.spec.template.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 32080 }])
  })

  test('kustomize applies every manifest', async () => {
    const [kustomization] = await docs('kustomization.yaml')
    expect(kustomization!.resources.sort()).toEqual([
      'deployment.yaml',
      'namespace.yaml',
      'networkpolicy.yaml',
      'pvc.yaml',
      'rbac.yaml',
      'service.yaml',
    ])
  })

  test('the token is a Secret from the git-ignored file `token`, mounted read-only for --token-file', async () => {
    const [kustomization] = await docs('kustomization.yaml')
    const generated = kustomization!.secretGenerator.find((g: any) => g.name === 'periscope-token')
    expect(generated.files).toEqual(['token'])
    expect(generated.options.labels).toMatchObject({ 'app.kubernetes.io/component': 'api-token' })
    const pod = (await docs('deployment.yaml'))[0]!.spec.template.spec
    const volume = pod.volumes.find((v: any) => v.secret?.secretName === 'periscope-token')
    expect(volume.secret.defaultMode).toBe(0o440)
    const [container] = pod.containers
    const mount = container.volumeMounts.find((m: any) => m.name === volume.name)
    expect(mount).toEqual({ name: volume.name, mountPath: '/var/run/periscope', readOnly: true })
    const tokenFile = container.args[container.args.indexOf('--token-file') + 1]
    expect(tokenFile).toBe(`${mount.mountPath}/${generated.files[0]}`)
    // The secret never enters git or the image's build context.
    const ignored = (file: string) => readFileSync(`${DEPLOY}/${file}`, 'utf8').split('\n')
    expect(ignored('../../.gitignore')).toContain('deploy/kubernetes/token')
    expect(ignored('Dockerfile.dockerignore')).toContain('deploy/kubernetes/token')
  })

  test('the NetworkPolicy admits ingress to the server pods on the API port only', async () => {
    const [policy] = await docs('networkpolicy.yaml')
    const deployment = (await docs('deployment.yaml'))[0]!
    expect(policy!.kind).toBe('NetworkPolicy')
    expect(policy!.spec.podSelector).toEqual({ matchLabels: deployment.spec.template.metadata.labels })
    expect(policy!.spec.policyTypes).toEqual(['Ingress'])
    const port = deployment.spec.template.spec.containers[0].ports[0].containerPort
    expect(policy!.spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port }] }])
  })
})
