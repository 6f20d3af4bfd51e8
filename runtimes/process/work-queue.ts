/**
 * @module
 * The queue that spawns replicas and handles their exits a few milliseconds at a time.
 */

/** Queued launches and exits run for about this long before yielding to the event loop. */
const SLICE_MS = 8

/**
 * Replica launches and exits of every job, run in order (exits first) a slice of
 * {@link SLICE_MS} at a time with the event loop running in between, so requests are
 * answered while a large job starts or ends. A task pushed while nothing is queued runs
 * at once, in a slice of the current turn: a lone launch does not wait for the next turn,
 * and the thousandth launch of a large job still waits for a later one.
 */
export class WorkQueue {
  #lanes: Array<{ tasks: Array<() => void>; next: number }> = [
    { tasks: [], next: 0 }, // exits
    { tasks: [], next: 0 }, // launches
  ]
  #draining = false
  /** When the slice run in the current turn ends (null: none was started in it). */
  #inlineUntil: number | null = null

  push(task: () => void, lane: 'exit' | 'launch'): void {
    this.#lanes[lane === 'exit' ? 0 : 1]!.tasks.push(task)
    if (this.#draining) return
    this.#draining = true
    if (this.#inlineUntil === null) {
      this.#inlineUntil = performance.now() + SLICE_MS
      setImmediate(() => {
        this.#inlineUntil = null
      })
    }
    if (performance.now() < this.#inlineUntil) this.#drain(this.#inlineUntil)
    else setImmediate(() => this.#drain())
  }

  #drain(end = performance.now() + SLICE_MS): void {
    for (;;) {
      const lane = this.#lanes.find((l) => l.next < l.tasks.length)
      if (!lane) break
      if (performance.now() >= end) {
        setImmediate(() => this.#drain())
        return
      }
      const task = lane.tasks[lane.next++]!
      if (lane.next === lane.tasks.length) {
        lane.tasks = []
        lane.next = 0
      }
      try {
        task()
      } catch {
        // tasks report their own failures
      }
    }
    this.#draining = false
  }
}
