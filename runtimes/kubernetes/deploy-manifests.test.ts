import { describe, expect, test } from 'bun:test'
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

  test('the Deployment serves the kubernetes runtime on all interfaces with /data on the claim', async () => {
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
      'pvc.yaml',
      'rbac.yaml',
      'service.yaml',
    ])
  })
})
