/**
 * @module
 * The RBAC rules the runtime needs: one per API call it makes through the
 * {@link KubePort}. `deploy/kubernetes/rbac.yaml` grants exactly these (a test
 * checks both that the Role matches and that the runtime uses nothing else).
 */
import type { KubePort } from './backend-port.ts'

/** A Role rule. */
export interface PolicyRule {
  apiGroups: string[]
  resources: string[]
  verbs: string[]
}

export const REQUIRED_RULES: readonly PolicyRule[] = [
  {
    apiGroups: ['kubeflow.org'],
    resources: ['tfjobs', 'pytorchjobs', 'xgboostjobs'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'watch'],
  },
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
]

/** The RBAC verb each port method needs on the resource it addresses. */
export const PORT_VERBS: Readonly<Record<Exclude<keyof KubePort, 'server'>, string>> = {
  create: 'create',
  get: 'get',
  list: 'list',
  mergePatch: 'patch',
  delete: 'delete',
  watch: 'watch',
  podLog: 'get',
}
