/** @jsxImportSource preact */
/**
 * @module
 * One experiment: status with reason and message, the timeline of every transition
 * (the event stream replayed from the start for this experiment, then live), each
 * replica's state, the spec as YAML, each replica's log, and stop / delete.
 */
import { useEffect, useState } from 'preact/hooks'
import { ApiError, api } from '../api.ts'
import { Confirm } from '../components/dialog.tsx'
import { Link } from '../components/link.tsx'
import { LogView } from '../components/log-view.tsx'
import { StatusBadge } from '../components/status-badge.tsx'
import {
  duration,
  type Experiment,
  isFinished,
  localTime,
  type ReplicaState,
  replicaCounts,
  replicaState,
  type StatusEvent,
} from '../format.ts'
import { useNow, useTitle } from '../hooks.ts'
import { navigate } from '../router.ts'
import { followStream } from '../stream.ts'
import { toYaml } from '../yaml.ts'

type Pending = 'stop' | 'delete' | null

/** The detail view of experiment `id`. */
export function ExperimentDetail(props: { id: string }) {
  const { id } = props
  const now = useNow()
  const [experiment, setExperiment] = useState<Experiment | null>(null)
  const [missing, setMissing] = useState<string | null>(null)
  const [events, setEvents] = useState<StatusEvent[]>([])
  const [pods, setPods] = useState<string[]>([])
  const [pod, setPod] = useState<string | null>(null)
  const [confirm, setConfirm] = useState<Pending>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [stopMissing, setStopMissing] = useState(false)
  const [reload, setReload] = useState(0)
  useTitle(experiment?.spec.meta.name ?? id)

  const base = `/api/v1/experiment/${encodeURIComponent(id)}`

  useEffect(() => {
    const abort = new AbortController()
    api<Experiment>('GET', base, undefined, abort.signal).then(setExperiment, (err) => {
      if (!abort.signal.aborted) setMissing(err instanceof ApiError ? err.message : String(err))
    })
    api<{ logContent: { podName: string }[] }>(
      'GET',
      `/api/v1/experiment/logs/${encodeURIComponent(id)}?tailLines=0`,
      undefined,
      abort.signal,
    ).then(
      (r) =>
        setPods((old) =>
          merge(
            old,
            r.logContent.map((p) => p.podName),
          ),
        ),
      () => {},
    )
    return () => abort.abort()
  }, [id, reload])

  useEffect(() => {
    const abort = new AbortController()
    setEvents([])
    followStream<StatusEvent>(
      `/api/v1/experiment/events?experimentId=${encodeURIComponent(id)}`,
      {
        record(event) {
          setEvents((old) => (old.some((e) => e.seq === event.seq) ? old : [...old, event]))
          if (event.replica) setPods((old) => merge(old, [event.replica!]))
          // The experiment's own transition changes its times and message: read it again.
          else if (event.status !== 'Deleted') setReload((n) => n + 1)
        },
      },
      abort.signal,
    )
    return () => abort.abort()
  }, [id])

  useEffect(() => {
    if (pod === null && pods.length > 0) setPod(pods[0]!)
  }, [pods, pod])

  if (missing)
    return (
      <section aria-labelledby="detail-title">
        <h1 id="detail-title">Experiment {id}</h1>
        <p class="error" role="alert">
          {missing}
        </p>
        <Link href="/experiments">Back to the list</Link>
      </section>
    )
  if (!experiment) return <p aria-live="polite">Loading…</p>

  const deleted = events.some((e) => e.replica === null && e.status === 'Deleted')
  const status = deleted ? 'Deleted' : experiment.status
  const last = [...events].reverse().find((e) => e.replica === null)
  const replicas = latestByReplica(events, pods)

  async function act(what: 'stop' | 'delete') {
    setConfirm(null)
    setNotice(null)
    try {
      if (what === 'delete') {
        await api('DELETE', base)
        navigate('/experiments')
        return
      }
      await api('POST', `${base}/stop`)
      setNotice('Stop requested: the replicas are being stopped.')
      setReload((n) => n + 1)
    } catch (err) {
      if (what === 'stop' && err instanceof ApiError && err.status === 404 && err.reason !== 'EXPERIMENT_NOT_FOUND') {
        setStopMissing(true)
        setNotice('This server cannot stop an experiment (it has no stop endpoint); delete it instead.')
      } else setNotice(err instanceof Error ? err.message : String(err))
    }
  }

  return (
    <section aria-labelledby="detail-title">
      <p class="crumbs">
        <Link href="/experiments">Experiments</Link> / <span class="mono">{id}</span>
      </p>
      <div class="page-head">
        <h1 id="detail-title">{experiment.spec.meta.name}</h1>
        <div class="actions">
          {!isFinished(status) && !stopMissing ? (
            <button type="button" onClick={() => setConfirm('stop')}>
              Stop
            </button>
          ) : null}
          {!deleted ? (
            <button type="button" class="danger" onClick={() => setConfirm('delete')}>
              Delete
            </button>
          ) : null}
        </div>
      </div>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={status} showMessage={false} />
          {last?.reason ? <span class="reason"> {last.reason}</span> : null}
        </dd>
        <dt>Message</dt>
        <dd class="status-text">{experiment.statusMessage ?? last?.message ?? '—'}</dd>
        <dt>ID</dt>
        <dd class="mono">{experiment.experimentId}</dd>
        <dt>Framework</dt>
        <dd>{experiment.spec.meta.framework}</dd>
        <dt>Replicas</dt>
        <dd>{replicaCounts(experiment)}</dd>
        <dt>Accepted</dt>
        <dd>{localTime(experiment.acceptedTime)}</dd>
        <dt>Duration</dt>
        <dd>{duration(experiment, now) || '—'}</dd>
      </dl>

      <h2>Replicas</h2>
      <table class="replicas">
        <thead>
          <tr>
            <th scope="col">Pod</th>
            <th scope="col">State</th>
            <th scope="col">Restarts</th>
            <th scope="col">Last exit code</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {replicas.length === 0 ? (
            <tr>
              <td colSpan={5} class="empty">
                No replica has started yet.
              </td>
            </tr>
          ) : null}
          {replicas.map((r) => (
            <tr key={r.pod} data-pod={r.pod}>
              <td class="mono">{r.pod}</td>
              <td>
                <StatusBadge status={r.status || 'Pending'} message={r.reason} />
              </td>
              <td>{r.restarts}</td>
              <td>{r.exitCode ?? '—'}</td>
              <td>{localTime(r.time)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 id="logs-title">Logs</h2>
      {pods.length === 0 ? <p>No replica has written anything yet.</p> : null}
      {pods.length > 0 ? (
        <div role="tablist" aria-labelledby="logs-title" class="tabs">
          {pods.map((p) => (
            <button
              type="button"
              role="tab"
              key={p}
              aria-selected={p === pod}
              class={p === pod ? 'tab selected' : 'tab'}
              onClick={() => setPod(p)}
            >
              {p}
            </button>
          ))}
        </div>
      ) : null}
      {pod ? <LogView key={pod} experimentId={id} pod={pod} /> : null}

      <h2>Timeline</h2>
      <ol class="timeline">
        {events.map((e) => {
          const who = e.replica ?? 'experiment'
          return (
            <li key={e.seq}>
              <time dateTime={e.time}>{localTime(e.time)}</time> <span class="mono">{who}</span>{' '}
              <StatusBadge status={e.status} showMessage={false} />
              {e.reason ? <span class="reason"> {e.reason}</span> : null}
              {e.message ? <span class="status-message"> {e.message}</span> : null}
            </li>
          )
        })}
      </ol>

      <h2>Spec</h2>
      <section
        class="spec"
        aria-label="The spec as YAML"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region takes focus so the keyboard can scroll it
        tabIndex={0}
      >
        <pre>{toYaml(experiment.spec)}</pre>
      </section>

      <Confirm
        open={confirm !== null}
        title={confirm === 'stop' ? 'Stop this experiment?' : 'Delete this experiment?'}
        body={
          confirm === 'stop'
            ? `Its running replicas are stopped; ${experiment.spec.meta.name} stays in the list with its logs.`
            : `${experiment.spec.meta.name} (${id}) is stopped and removed with its logs. This cannot be undone.`
        }
        confirmLabel={confirm === 'stop' ? 'Stop' : 'Delete'}
        onConfirm={() => act(confirm!)}
        onCancel={() => setConfirm(null)}
      />
    </section>
  )
}

function merge(old: string[], more: string[]): string[] {
  const add = more.filter((p) => !old.includes(p))
  return add.length ? [...old, ...add].sort() : old
}

/** Each known replica's newest state, in pod order (a pod with no event yet is Pending). */
function latestByReplica(events: StatusEvent[], pods: string[]): ReplicaState[] {
  const latest = new Map<string, ReplicaState>()
  for (const e of events) if (e.replica) latest.set(e.replica, replicaState(e))
  for (const p of pods)
    if (!latest.has(p))
      latest.set(p, { pod: p, status: '', reason: null, message: null, restarts: 0, exitCode: null, time: '' })
  return [...latest.values()].sort((a, b) => a.pod.localeCompare(b.pod))
}
