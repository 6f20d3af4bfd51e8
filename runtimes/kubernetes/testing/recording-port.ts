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
  const note = (verb: string, ref: Pick<ResourceRef, 'group' | 'plural'>) => used.add(key(verb, ref))
  return {
    server: port.server,
    create: (ref, body) => {
      note(PORT_VERBS.create, ref)
      return port.create(ref, body)
    },
    get: (ref, name) => {
      note(PORT_VERBS.get, ref)
      return port.get(ref, name)
    },
    list: (ref, selector) => {
      note(PORT_VERBS.list, ref)
      return port.list(ref, selector)
    },
    mergePatch: (ref, name, patch) => {
      note(PORT_VERBS.mergePatch, ref)
      return port.mergePatch(ref, name, patch)
    },
    delete: (ref, name) => {
      note(PORT_VERBS.delete, ref)
      return port.delete(ref, name)
    },
    watch: (ref, options, onEvent, signal, onOpen) => {
      note(PORT_VERBS.watch, ref)
      return port.watch(ref, options, onEvent, signal, onOpen)
    },
    podLog: (namespace, pod, options, signal) => {
      note(PORT_VERBS.podLog, { group: '', plural: 'pods/log' })
      return port.podLog(namespace, pod, options, signal)
    },
  }
}

/** Every permission a list of rules grants, in the recorder's format. */
export function grantedPermissions(rules: readonly PolicyRule[]): Set<string> {
  const out = new Set<string>()
  for (const rule of rules)
    for (const group of rule.apiGroups)
      for (const resource of rule.resources) for (const verb of rule.verbs) out.add(`${verb} ${group}/${resource}`)
  return out
}
