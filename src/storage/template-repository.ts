/**
 * @module
 * Stored experiment templates (`/api/v1/template`), keyed by their unique name.
 */
import type { Database } from 'bun:sqlite'
import type { ExperimentTemplateSpec } from '../templates/template.ts'

interface Row {
  id: string
  name: string
  spec: string
}

export type TemplateRepository = ReturnType<typeof createTemplateRepository>

/** Template storage over one database. */
export function createTemplateRepository(db: Database) {
  const insert = db.query('INSERT INTO experiment_template (id, name, spec) VALUES ($id, $name, $spec)')
  const byName = db.query<Row, { name: string }>('SELECT id, name, spec FROM experiment_template WHERE name = $name')
  const all = db.query<Row, Record<string, never>>('SELECT id, name, spec FROM experiment_template ORDER BY seq')
  const update = db.query('UPDATE experiment_template SET id = $id, name = $newName, spec = $spec WHERE name = $name')
  const take = db.query<Row, { name: string }>('DELETE FROM experiment_template WHERE name = $name RETURNING *')
  const parse = (row: Row) => JSON.parse(row.spec) as ExperimentTemplateSpec
  return {
    /** @returns false when the name is taken */
    insert(id: string, spec: ExperimentTemplateSpec): boolean {
      const inserted = db
        .transaction(() => {
          if (byName.get({ name: spec.name })) return false
          insert.run({ id, name: spec.name, spec: JSON.stringify(spec) })
          return true
        })
        .immediate()
      return inserted
    },
    get(name: string): ExperimentTemplateSpec | null {
      const row = byName.get({ name })
      return row ? parse(row) : null
    },
    /** Every template, in creation order. */
    list(): ExperimentTemplateSpec[] {
      return all.all({}).map(parse)
    },
    /**
     * Replaces the template `name` (the spec may rename it), under the new `id`.
     * @returns `missing` when there is no `name`, `taken` when the new name is another template's
     */
    replace(name: string, id: string, spec: ExperimentTemplateSpec): 'ok' | 'missing' | 'taken' {
      return db
        .transaction((): 'ok' | 'missing' | 'taken' => {
          if (!byName.get({ name })) return 'missing'
          if (spec.name !== name && byName.get({ name: spec.name })) return 'taken'
          update.run({ name, newName: spec.name, id, spec: JSON.stringify(spec) })
          return 'ok'
        })
        .immediate()
    },
    /** Deletes a template and returns it, in one statement: of two concurrent deletes only one gets it. */
    take(name: string): ExperimentTemplateSpec | null {
      const row = take.get({ name })
      return row ? parse(row) : null
    },
  }
}
