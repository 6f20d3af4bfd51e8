/**
 * The kubeconfig a client uses to reach the fake.
 * @module
 */

/** A kubeconfig YAML for an `http://` server with a bearer-token user. */
export function kubeconfigYaml(server: string, token: string, namespace: string): string {
  // client-node refuses an http:// server unless insecure-skip-tls-verify is true.
  return `apiVersion: v1
kind: Config
clusters:
- name: kube-fake
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
contexts:
- name: kube-fake
  context:
    cluster: kube-fake
    user: periscope
    namespace: ${namespace}
current-context: kube-fake
users:
- name: periscope
  user:
    token: ${token}
preferences: {}
`
}
