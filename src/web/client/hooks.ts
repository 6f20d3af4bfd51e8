/**
 * @module
 * Small hooks the pages share.
 */
import { useEffect, useState } from 'preact/hooks'

/** The time, refreshed every `ms` (ages and durations tick). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(timer)
  }, [ms])
  return now
}

/** Sets the document title while a view shows. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · periscope`
  }, [title])
}
