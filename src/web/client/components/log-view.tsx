/** @jsxImportSource preact */
/**
 * @module
 * One replica's log: followed live while it runs (the API's SSE log follow, which ends
 * once the experiment has finished and every line is delivered, so a finished log reads
 * the same way), kept scrolled to the end unless the reader scrolls up, searchable, and
 * downloadable whole.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { ApiError, api } from '../api.ts'
import { followStream } from '../stream.ts'

interface LogRecord {
  podName: string
  line: string
  time: string
  cursor: string
}

/** Lines drawn at most (the newest); the download has them all. */
const SHOWN = 5000

/** The log of `pod`, following while `experimentId` runs. */
export function LogView(props: { experimentId: string; pod: string }) {
  const { experimentId, pod } = props
  const [lines, setLines] = useState<string[]>([])
  const [state, setState] = useState<'connecting' | 'following' | 'ended' | 'reconnecting'>('connecting')
  const [error, setError] = useState<string | null>(null)
  const [query, setQuery] = useState('')
  const [stick, setStick] = useState(true)
  const box = useRef<HTMLPreElement>(null)

  useEffect(() => {
    const abort = new AbortController()
    let buffer: string[] = []
    let frame = 0
    const flush = () => {
      frame = 0
      const add = buffer
      buffer = []
      setLines((old) => old.concat(add))
    }
    setLines([])
    setError(null)
    setState('connecting')
    const path =
      `/api/v1/experiment/logs/${encodeURIComponent(experimentId)}` + `?follow=true&pod=${encodeURIComponent(pod)}`
    followStream<LogRecord>(
      path,
      {
        record(r) {
          buffer.push(r.line)
          // Lines arrive in bursts: draw them once per frame.
          frame ||= requestAnimationFrame(flush)
        },
        end() {
          flush()
          setState('ended')
        },
        error(message) {
          setError(message)
          setState('ended')
        },
        connected(up) {
          setState((s) => (s === 'ended' ? s : up ? 'following' : 'reconnecting'))
        },
      },
      abort.signal,
    )
    return () => {
      abort.abort()
      cancelAnimationFrame(frame)
    }
  }, [experimentId, pod])

  useLayoutEffect(() => {
    const el = box.current
    if (el && stick) el.scrollTop = el.scrollHeight
  }, [lines, stick, query])

  const needle = query.toLowerCase()
  const matching = needle ? lines.filter((l) => l.toLowerCase().includes(needle)) : lines
  const shown = matching.length > SHOWN ? matching.slice(-SHOWN) : matching

  return (
    <div class="log-view">
      <div class="log-tools">
        <label for="log-search">Search the log</label>
        <input
          id="log-search"
          type="search"
          value={query}
          placeholder="text in a line"
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <span class="log-count" aria-live="polite">
          {needle ? `${matching.length} of ${lines.length} lines match` : `${lines.length} lines`}
          {shown.length < matching.length ? ` (newest ${shown.length} shown)` : ''}
        </span>
        <span class={`log-state log-${state}`}>{stateText[state]}</span>
        <button
          type="button"
          aria-pressed={stick}
          onClick={() => setStick(!stick)}
          title="Keep the newest line in view"
        >
          {stick ? 'Auto-scroll on' : 'Auto-scroll off'}
        </button>
        <button
          type="button"
          onClick={() => download(experimentId, pod).catch((err) => setError(String(err.message ?? err)))}
        >
          Download log
        </button>
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <pre
        ref={box}
        class="log"
        role="log"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region takes focus so the keyboard can scroll it
        tabIndex={0}
        aria-label={`Log of ${pod}`}
        data-pod={pod}
        onScroll={(e) => {
          const el = e.currentTarget
          const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight < 8
          if (atEnd !== stick) setStick(atEnd)
        }}
      >
        {shown.map((line, i) => (
          <span class="log-line" key={i}>
            {needle ? highlight(line, needle) : line}
            {'\n'}
          </span>
        ))}
      </pre>
    </div>
  )
}

const stateText = {
  connecting: 'Connecting…',
  following: 'Following live',
  reconnecting: 'Reconnecting…',
  ended: 'Complete',
} as const

function highlight(line: string, needle: string) {
  const out: (string | preact.JSX.Element)[] = []
  const lower = line.toLowerCase()
  let at = 0
  for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, at)) {
    out.push(line.slice(at, i), <mark key={i}>{line.slice(i, i + needle.length)}</mark>)
    at = i + needle.length
  }
  out.push(line.slice(at))
  return out
}

/** The whole log of one replica as a text file. */
async function download(experimentId: string, pod: string): Promise<void> {
  const path = `/api/v1/experiment/logs/${encodeURIComponent(experimentId)}?pod=${encodeURIComponent(pod)}`
  const result = await api<{ logContent: { podName: string; podLog: string[] }[] }>('GET', path).catch((err) => {
    throw err instanceof ApiError ? err : new Error(String(err))
  })
  const text = result.logContent.flatMap((p) => p.podLog).join('\n')
  const url = URL.createObjectURL(new Blob([text ? `${text}\n` : ''], { type: 'text/plain' }))
  const a = document.createElement('a')
  a.href = url
  a.download = `${pod}.log`
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
