/** @jsxImportSource preact */
/**
 * @module
 * The experiment list: filter by status, search by name, pages through the API's
 * `after` cursor (each page its own address, so back returns to it), rows kept up to
 * date from the event stream without a reload.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, api } from '../api.ts'
import { Link } from '../components/link.tsx'
import { StatusBadge } from '../components/status-badge.tsx'
import { age, duration, type Experiment, replicaCounts, type StatusEvent } from '../format.ts'
import { useNow, useTitle } from '../hooks.ts'
import { detailHref, listHref, navigate } from '../router.ts'
import { followStream } from '../stream.ts'

/** Rows per page. */
export const PAGE_SIZE = 50

const STATUSES = ['Accepted', 'Created', 'Running', 'Succeeded', 'Failed']

/** The newest event seen: at first the one the server had when it served the page. */
let seenEventSeq: number | null = null
function eventSeq(): number {
  if (seenEventSeq === null) {
    const meta = document.querySelector('meta[name="periscope-last-event"]')
    seenEventSeq = Number(meta?.getAttribute('content') ?? 0) || 0
  }
  return seenEventSeq
}

function listPath(status: string, name: string, after: string): string {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) })
  if (status) q.set('status', status)
  if (name) q.set('name', name)
  if (after) q.set('after', after)
  return `/api/v1/experiment?${q}`
}

let prefetched: { path: string; rows: Promise<Experiment[]> } | null = null

/**
 * Starts reading a list page before the view is drawn (the entry calls it on a list
 * address), so the request overlaps drawing the frame; the view takes it once.
 */
export function prefetchList(status: string, name: string, after: string): void {
  const path = listPath(status, name, after)
  prefetched = { path, rows: api<Experiment[]>('GET', path) }
  prefetched.rows.catch(() => {}) // the view reports it
}

function takePrefetched(path: string): Promise<Experiment[]> | null {
  const p = prefetched?.path === path ? prefetched.rows : null
  prefetched = null
  return p
}

/** The list view for a filter and a page. */
export function ExperimentList(props: { status: string; name: string; after: string }) {
  const { status, name, after } = props
  useTitle('Experiments')
  const now = useNow()
  const [rows, setRows] = useState<Experiment[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [search, setSearch] = useState(name)
  const rowsRef = useRef<Experiment[]>([])
  rowsRef.current = rows ?? []

  useEffect(() => setSearch(name), [name])

  useEffect(() => {
    const abort = new AbortController()
    setError(null)
    const path = listPath(status, name, after)
    ;(takePrefetched(path) ?? api<Experiment[]>('GET', path, undefined, abort.signal)).then(
      (list) => {
        if (abort.signal.aborted) return
        setRows(list)
        // The first screen is drawn: the browser test reads this mark (≤ 300 ms with 10,000 stored).
        requestAnimationFrame(() => performance.mark('periscope:list-drawn'))
      },
      (err) => !abort.signal.aborted && setError(err instanceof ApiError ? err.message : String(err)),
    )
    return () => abort.abort()
  }, [status, name, after])

  // Live rows: an event about a shown experiment re-reads it; a new one joins a last page that has room.
  useEffect(() => {
    const abort = new AbortController()
    const pending = new Set<string>()
    let timer: ReturnType<typeof setTimeout> | undefined
    const refresh = () => {
      timer = undefined
      const ids = [...pending]
      pending.clear()
      for (const id of ids) {
        api<Experiment>('GET', `/api/v1/experiment/${encodeURIComponent(id)}`, undefined, abort.signal).then(
          (e) => setRows((list) => upsert(list, e, status, name)),
          (err) => {
            if (err instanceof ApiError && err.status === 404)
              setRows((list) => list?.map((r) => (r.experimentId === id ? { ...r, status: 'Deleted' } : r)) ?? list)
          },
        )
      }
    }
    followStream<StatusEvent>(
      `/api/v1/experiment/events?after=${eventSeq()}`,
      {
        record(event) {
          seenEventSeq = Math.max(seenEventSeq ?? 0, event.seq)
          if (event.replica !== null) return
          const shown = rowsRef.current.some((r) => r.experimentId === event.experimentId)
          const room = rowsRef.current.length < PAGE_SIZE
          if (!shown && !(room && event.status === 'Accepted')) return
          pending.add(event.experimentId)
          timer ??= setTimeout(refresh, 150)
        },
      },
      abort.signal,
    )
    return () => {
      abort.abort()
      clearTimeout(timer)
    }
  }, [status, name])

  const last = rows?.at(-1)?.experimentId
  return (
    <section aria-labelledby="list-title">
      <div class="page-head">
        <h1 id="list-title">Experiments</h1>
        <Link href="/create" class="button primary">
          New experiment
        </Link>
      </div>
      <form
        class="filters"
        aria-label="Filter experiments"
        onSubmit={(e) => {
          e.preventDefault()
          navigate(listHref(status, search.trim(), ''))
        }}
      >
        <label for="status-filter">Status</label>
        <select id="status-filter" value={status} onChange={(e) => navigate(listHref(e.currentTarget.value, name, ''))}>
          <option value="">Any</option>
          {STATUSES.map((s) => (
            <option value={s} key={s}>
              {s}
            </option>
          ))}
        </select>
        <label for="name-search">Name</label>
        <input
          id="name-search"
          type="search"
          placeholder="part of a name"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        <button type="submit">Search</button>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {rows === null && !error ? <p aria-live="polite">Loading…</p> : null}
      {rows !== null ? (
        <div class="table-wrap">
          <table class="experiments">
            <caption class="visually-hidden">
              Experiments{status ? ` with status ${status}` : ''}
              {name ? ` named like “${name}”` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">ID</th>
                <th scope="col">Framework</th>
                <th scope="col">Status</th>
                <th scope="col">Replicas</th>
                <th scope="col">Age</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 ? (
                <tr>
                  <td colSpan={7} class="empty">
                    No experiments{status || name ? ' match' : ' yet'}.
                  </td>
                </tr>
              ) : null}
              {rows.map((e) => (
                <tr key={e.experimentId} data-id={e.experimentId}>
                  <td>
                    <Link href={detailHref(e.experimentId)}>{e.spec.meta.name}</Link>
                  </td>
                  <td class="mono">{e.experimentId}</td>
                  <td>{e.spec.meta.framework}</td>
                  <td>
                    <StatusBadge status={e.status} message={e.statusMessage} />
                  </td>
                  <td>{replicaCounts(e)}</td>
                  <td>{age(e, now)}</td>
                  <td>{duration(e, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <nav class="pager" aria-label="Pages">
        {after ? <Link href={listHref(status, name, '')}>First page</Link> : null}
        {rows && rows.length === PAGE_SIZE && last ? <Link href={listHref(status, name, last)}>Next page</Link> : null}
      </nav>
    </section>
  )
}

/** The list with `e` updated in place, or appended when it is new and fits the filter. */
function upsert(list: Experiment[] | null, e: Experiment, status: string, name: string): Experiment[] | null {
  if (!list) return list
  const i = list.findIndex((r) => r.experimentId === e.experimentId)
  if (i >= 0) return list.map((r, j) => (j === i ? e : r))
  const fits =
    (!status || e.status === status) && (!name || e.spec.meta.name.toLowerCase().includes(name.toLowerCase()))
  return fits && list.length < PAGE_SIZE ? [...list, e] : list
}
