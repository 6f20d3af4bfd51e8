/**
 * @module
 * A {@link KubePort} wrapper that records which RBAC permission every call needs
 * (`<verb> <group>/<resource>`), so a test can prove the runtime uses exactly the
 * rules `deploy/kubernetes/rbac.yaml` grants. Test-only.
 */
import type { KubePort, ResourceRef } from '../backend-port.ts'
import { PORT_VERBS, type PolicyRule } from '../permissions.ts'

const key = (verb: string, ref: Pick<ResourceRef, 'group' | 'plural'>) => `${verb} ${ref.group}/${ref.plural}`

/** Wraps a port; every call adds its permission to `used`. */
export function recordingPort(port: KubePort, used: Set<string>): KubePort {
  return {
    server: port.server,
    create: (ref, body) => (used.add(key(PORT_VERBS.create, ref)), port.create(ref, body)),
    get: (ref, name) => (used.add(key(PORT_VERBS.get, ref)), port.get(ref, name)),
    list: (ref, selector) => (used.add(key(PORT_VERBS.list, ref)), port.list(ref, selector)),
    mergePatch: (ref, name, patch) => (used.add(key(PORT_VERBS.mergePatch, ref)), port.mergePatch(ref, name, patch)),
    delete: (ref, name) => (used.add(key(PORT_VERBS.delete, ref)), port.delete(ref, name)),
    watch: (ref, options, onEvent, signal, onOpen) => (used.add(key(PORT_VERBS.watch, ref)), port.watch(ref, options, onEvent, signal, onOpen)),
    podLog: (namespace, pod, options, signal) => (
      used.add(key(PORT_VERBS.podLog, { group: '', plural: 'pods/log' })), port.podLog(namespace, pod, options, signal)
    ),
  }
}

/** Every permission a list of rules grants, in the recorder's format. */
export function grantedPermissions(rules: readonly PolicyRule[]): Set<string> {
  const out = new Set<string>()
  for (const rule of rules) for (const group of rule.apiGroups) for (const resource of rule.resources) for (const verb of rule.verbs) out.add(`${verb} ${group}/${resource}`)
  return out
}
