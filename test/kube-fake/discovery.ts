/**
 * Minimal discovery: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/kubeflow.org[/v1]`, health
 * checks, and the CustomResourceDefinitions themselves under `apiextensions.k8s.io/v1`, all
 * reflecting whether the Kubeflow CRDs are installed.
 * @module
 */
import { ApiError, jsonResponse, resourceNotServed } from './api-error.ts'
import { loadCrd } from './crd-schema.ts'
import { CORE_KINDS, JOB_KINDS, KUBEFLOW_GROUP } from './kinds.ts'
import type { ServerContext } from './server-context.ts'

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

function kubeflowResources(): unknown[] {
  return Object.values(JOB_KINDS).flatMap((k) => [
    { name: k.plural, singularName: k.kind.toLowerCase(), namespaced: true, kind: k.kind, verbs: VERBS },
    { name: `${k.plural}/status`, singularName: '', namespaced: true, kind: k.kind, verbs: ['get', 'patch', 'update'] },
  ])
}

function groupEntry(): unknown {
  const version = { groupVersion: `${KUBEFLOW_GROUP}/v1`, version: 'v1' }
  return { name: KUBEFLOW_GROUP, versions: [version], preferredVersion: version }
}

const crdUids = new Map<string, string>()

function crdObject(plural: string, ctx: ServerContext): unknown {
  const crd = structuredClone(loadCrd(plural, ctx.crdDirs))
  if (!crdUids.has(plural)) crdUids.set(plural, crypto.randomUUID())
  crd.metadata = { ...crd.metadata, uid: crdUids.get(plural), resourceVersion: '1', generation: 1 }
  crd.status = {
    acceptedNames: crd.spec.names,
    conditions: [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
      },
    ],
    storedVersions: ['v1'],
  }
  return crd
}

/** Serves discovery paths; undefined when the path is not a discovery path. */
export function discovery(ctx: ServerContext, method: string, path: string): Response | undefined {
  if (method !== 'GET') return undefined
  const installed = ctx.installed()
  switch (path) {
    case '/version':
      return jsonResponse({
        major: '1',
        minor: '31',
        gitVersion: 'v1.31.0-kube-fake',
        gitCommit: 'kube-fake',
        gitTreeState: 'clean',
        buildDate: '2024-08-13T00:00:00Z',
        goVersion: 'go1.22.5',
        compiler: 'gc',
        platform: 'linux/amd64',
      })
    case '/healthz':
    case '/readyz':
    case '/livez':
      return new Response('ok', { headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
    case '/api':
      return jsonResponse({
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: ctx.address() }],
      })
    case '/api/v1':
      return jsonResponse({
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          ...Object.values(CORE_KINDS).map((k) => ({
            name: k.plural,
            singularName: k.kind.toLowerCase(),
            namespaced: true,
            kind: k.kind,
            verbs: VERBS,
          })),
          { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
        ],
      })
    case '/apis':
      return jsonResponse({
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [
          {
            name: 'apiextensions.k8s.io',
            versions: [{ groupVersion: 'apiextensions.k8s.io/v1', version: 'v1' }],
            preferredVersion: { groupVersion: 'apiextensions.k8s.io/v1', version: 'v1' },
          },
          ...(installed ? [groupEntry()] : []),
        ],
      })
    case `/apis/${KUBEFLOW_GROUP}`:
      if (!installed) throw resourceNotServed()
      return jsonResponse({ kind: 'APIGroup', apiVersion: 'v1', ...(groupEntry() as object) })
    case `/apis/${KUBEFLOW_GROUP}/v1`:
      if (!installed) throw resourceNotServed()
      return jsonResponse({
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: `${KUBEFLOW_GROUP}/v1`,
        resources: kubeflowResources(),
      })
    case '/apis/apiextensions.k8s.io/v1/customresourcedefinitions':
      return jsonResponse({
        kind: 'CustomResourceDefinitionList',
        apiVersion: 'apiextensions.k8s.io/v1',
        metadata: { resourceVersion: String(ctx.store.resourceVersion) },
        items: installed ? Object.keys(JOB_KINDS).map((p) => crdObject(p, ctx)) : [],
      })
  }
  const crd = /^\/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions\/([^/]+)$/.exec(path)
  if (crd) {
    const name = crd[1] as string
    const plural = name.endsWith(`.${KUBEFLOW_GROUP}`) ? name.slice(0, -KUBEFLOW_GROUP.length - 1) : ''
    if (!installed || !JOB_KINDS[plural]) {
      throw new ApiError(404, 'NotFound', `customresourcedefinitions.apiextensions.k8s.io "${name}" not found`, {
        name,
        group: 'apiextensions.k8s.io',
        kind: 'customresourcedefinitions',
      })
    }
    return jsonResponse(crdObject(plural, ctx))
  }
  return undefined
}
