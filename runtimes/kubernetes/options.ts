/**
 * @module
 * How the server configures the Kubernetes runtime. Parsed at the edge from
 * `--kubeconfig` / `KUBECONFIG`, `--context`, `--namespace` and in-cluster
 * detection; nothing in the runtime reads `process.env`.
 */
import { existsSync } from 'node:fs'
import type { RuntimeBaseOptions } from '../../src/runtime/labels.ts'
import type { BackoffOptions } from '../common/backoff.ts'

/** The service account token every pod gets mounted (unless automount is off). */
export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token'

/**
 * Options of {@link createKubernetesRuntime}. Exactly one source of cluster configuration is used,
 * in this order: `kubeconfigYaml`, `kubeconfig`, `inCluster`.
 */
export interface KubernetesRuntimeOptions extends RuntimeBaseOptions {
  /**
   * Kubeconfig path (`--kubeconfig`, else `KUBECONFIG`, else `~/.kube/config` resolved by the server);
   * `:`-separated paths are merged.
   */
  kubeconfig?: string
  /** Kubeconfig contents, instead of a file. */
  kubeconfigYaml?: string
  /** Kubeconfig context (`--context`); default: the kubeconfig's current-context. */
  context?: string
  /** Use the pod's service account (`--runtime kubernetes` inside a cluster; see {@link detectInCluster}). */
  inCluster?: boolean
  /**
   * Limit for each API call, in ms (default 10 000): a whole answer for create, get, list,
   * patch and delete; the response headers for watches and log follows, whose streams are
   * then watched for stalls. An API server that accepts connections and never answers
   * leaves the runtime unavailable with that reason, instead of blocking it.
   */
  requestTimeoutMs?: number
  /** Image of the code sync init container (`--git-image`; default Submarine's git-sync 3.1.6). */
  gitImage?: string
  /** Tuning, mainly for tests. */
  tuning?: Partial<KubernetesTuning>
}

/** Timings of the runtime's reconnect loops. */
export interface KubernetesTuning {
  /** Server-side lifetime of one watch request (default 300 s, as client-go uses 5–10 min). */
  watchTimeoutSeconds: number
  /** Reconnect delays after API errors (default 250 ms doubling to 30 s). */
  backoff: BackoffOptions
  /** Longest wait between log passes when no pod change arrives (default 10 s). */
  logIdlePollMs: number
  /**
   * Longest wait, after a log follow of a running container ended, for the pod watch to report
   * that container's exit before the follow is taken for cut and re-attached (default 2 s: the
   * kubelet reports an exit at its next pod sync, about a second after the stream ended).
   */
  logExitReportMs: number
}

export const DEFAULT_TUNING: KubernetesTuning = {
  watchTimeoutSeconds: 300,
  backoff: { initialMs: 250, maxMs: 30_000 },
  logIdlePollMs: 10_000,
  logExitReportMs: 2000,
}

/**
 * True when this process runs in a Kubernetes pod with a service account: the API
 * server's address is in the environment and the token is mounted. For `--runtime auto`.
 */
export function detectInCluster(
  env: Record<string, string | undefined>,
  tokenPath: string = SERVICE_ACCOUNT_TOKEN_PATH,
): boolean {
  return !!env.KUBERNETES_SERVICE_HOST && !!env.KUBERNETES_SERVICE_PORT && existsSync(tokenPath)
}
