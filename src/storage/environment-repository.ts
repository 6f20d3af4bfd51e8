/**
 * @module
 * Stored environments (`/api/v1/environment`), keyed by their unique name.
 */
import type { Database } from 'bun:sqlite'
import type { EnvironmentSpec } from '../experiments/experiment.ts'

/** The API's environment object. */
export interface Environment {
  environmentId: string
  environmentSpec: EnvironmentSpec
}

interface Row {
  id: string
  name: string
  spec: string
}

const fromRow = (row: Row): Environment => ({
  environmentId: row.id,
  environmentSpec: JSON.parse(row.spec) as EnvironmentSpec,
})

export type EnvironmentRepository = ReturnType<typeof createEnvironmentRepository>

/** Environment storage over one database. */
export function createEnvironmentRepository(db: Database) {
  const insert = db.query('INSERT INTO environment (id, name, spec) VALUES ($id, $name, $spec)')
  const byName = db.query<Row, { name: string }>('SELECT id, name, spec FROM environment WHERE name = $name')
  const all = db.query<Row, Record<string, never>>('SELECT id, name, spec FROM environment ORDER BY seq')
  const update = db.query('UPDATE environment SET name = $newName, spec = $spec WHERE name = $name')
  const remove = db.query('DELETE FROM environment WHERE name = $name')
  return {
    /** @returns false when the name is taken */
    insert(e: Environment): boolean {
      const name = e.environmentSpec.name ?? ''
      if (byName.get({ name })) return false
      insert.run({ id: e.environmentId, name, spec: JSON.stringify(e.environmentSpec) })
      return true
    },
    get(name: string): Environment | null {
      const row = byName.get({ name })
      return row ? fromRow(row) : null
    },
    list(): Environment[] {
      return all.all({}).map(fromRow)
    },
    /** Replaces the spec of `name` (the spec may rename it). */
    update(name: string, spec: EnvironmentSpec): void {
      update.run({ name, newName: spec.name ?? name, spec: JSON.stringify(spec) })
    },
    remove(name: string): boolean {
      return remove.run({ name }).changes > 0
    },
  }
}
