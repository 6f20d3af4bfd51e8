/**
 * @module
 * Code sync, the same on every runtime: where the checkout lies, what a replica is told,
 * and how a failed clone is described. Submarine's git-sync init container checks the
 * repository out as `/code/current` (`GIT_SYNC_ROOT=/code`, `GIT_SYNC_DEST=current`) and
 * sets `CODE_PATH=/code`; periscope does the same and also starts the command in the
 * checkout. Pure: the runtimes do the cloning.
 */
import type { CodeSync } from './job.ts'

/** Reason of the `Failed` condition of a job whose repository could not be checked out. */
export const CODE_SYNC_FAILED = 'CodeSyncFailed'
/** Where containers find the code: the variable and its value (Submarine's). */
export const CODE_PATH_ENV = 'CODE_PATH'
export const CODE_MOUNT_PATH = '/code'
/** The checkout's name under {@link CODE_MOUNT_PATH}: git-sync's `GIT_SYNC_DEST`. */
export const CHECKOUT_NAME = 'current'
/** A container's working directory when code is synced. */
export const CONTAINER_CHECKOUT = `${CODE_MOUNT_PATH}/${CHECKOUT_NAME}`

/** URL schemes git is allowed to fetch code sync repositories over (no `file://`, no `ext::`). */
export const GIT_SCHEMES: readonly string[] = ['http', 'https', 'git', 'ssh']

/**
 * Moves `user:password@` out of an http(s), git or ssh URL, so the URL can be shown and
 * passed on its own. Credentials given in the URL count only when the fields are empty.
 */
export function splitCredentials(url: string): { url: string; username: string | null; password: string | null } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/@]*)@(.*)$/s.exec(url)
  if (!m) return { url, username: null, password: null }
  const [, scheme, userinfo, rest] = m as unknown as [string, string, string, string]
  const colon = userinfo.indexOf(':')
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s
    }
  }
  const username = decode(colon === -1 ? userinfo : userinfo.slice(0, colon))
  const password = colon === -1 ? null : decode(userinfo.slice(colon + 1))
  return { url: `${scheme}${rest}`, username: username || null, password: password || null }
}

/** A URL as it may be shown: any `user:password@` of a `scheme://` URL removed. */
export function displayUrl(url: string): string {
  return splitCredentials(url).url
}

/** `text` with the password (as given and URL-encoded) and every URL's credentials replaced. */
export function redactCredentials(text: string, code: Pick<CodeSync, 'password'>): string {
  let out = text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s'"]*@/g, '$1')
  for (const secret of code.password ? [code.password, encodeURIComponent(code.password)] : [])
    out = out.split(secret).join('***')
  return out
}

/** The `Failed` condition's message for a clone that failed with `detail` (git's own words). */
export function codeSyncFailure(code: Pick<CodeSync, 'url' | 'branch' | 'password'>, detail: string): string {
  const said = redactCredentials(detail.trim(), code) || 'git gave no reason'
  return `code sync of ${displayUrl(code.url)} (branch ${code.branch}) failed: ${said}`
}
