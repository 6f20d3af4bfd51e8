/**
 * @module
 * The git password of `code.git` is stored (the runtime needs it to clone) but never
 * answered: every experiment the API returns shows it as {@link PASSWORD_MASK}, and so
 * does a password written in the URL. A spec sent back with the mask keeps the stored
 * password, so a GET → edit → PATCH round trip does not lose it.
 */
import type { Experiment, ExperimentSpec } from './experiment.ts'

/** What a stored password reads as. */
export const PASSWORD_MASK = '******'

/** `scheme://user:password@` → `scheme://user:******@`. */
function maskUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/s, `$1:${PASSWORD_MASK}@`)
}

/** The experiment as answered: its git password (field and URL) masked. */
export function maskExperiment(experiment: Experiment): Experiment {
  const git = experiment.spec.code?.git
  if (!git) return experiment
  const masked = { ...git, url: maskUrl(git.url), password: git.password === null ? null : PASSWORD_MASK }
  if (masked.url === git.url && masked.password === git.password) return experiment
  return { ...experiment, spec: { ...experiment.spec, code: { ...experiment.spec.code!, git: masked } } }
}

/** A new spec whose git password (field or URL) is the mask takes the stored one, for the same repository. */
export function keepStoredPassword(next: ExperimentSpec, stored: ExperimentSpec): ExperimentSpec {
  const git = next.code?.git
  const old = stored.code?.git
  if (!git || !old) return next
  let { url, password } = git
  if (password === PASSWORD_MASK && maskUrl(url) === maskUrl(old.url)) password = old.password
  if (url !== old.url && maskUrl(url) === url && url === maskUrl(old.url)) url = old.url
  if (url === git.url && password === git.password) return next
  return { ...next, code: { ...next.code!, git: { ...git, url, password } } }
}
