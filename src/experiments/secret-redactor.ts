/**
 * @module
 * Keeps the secret values of live experiments out of the server's log: a runtime's
 * error text (a refused object, a failed command) can quote a spec, and every line the
 * server logs passes through {@link SecretRedactor.redact} first.
 */
import type { ExperimentSpec } from './experiment.ts'
import { MIN_REDACTED, SECRET_MASK, secretValues } from './secrets.ts'

/** Secret values by experiment id, and the redaction of a log line. */
export class SecretRedactor {
  readonly #byExperiment = new Map<string, string[]>()

  /** Records (or replaces) the secrets of an experiment's spec. */
  remember(id: string, spec: ExperimentSpec): void {
    const values = secretValues(spec).filter((v) => v.length >= MIN_REDACTED)
    if (values.length > 0) this.#byExperiment.set(id, values)
    else this.#byExperiment.delete(id)
  }

  /** Drops an experiment's secrets (it was deleted). */
  forget(id: string): void {
    this.#byExperiment.delete(id)
  }

  /** `line` with every remembered secret value replaced by the mask. */
  redact(line: string): string {
    let out = line
    for (const values of this.#byExperiment.values())
      for (const value of values) if (out.includes(value)) out = out.replaceAll(value, SECRET_MASK)
    return out
  }
}
