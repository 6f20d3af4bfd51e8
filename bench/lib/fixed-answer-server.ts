/**
 * The anchor of the HTTP figures: a bare `Bun.serve` answering every request with the same
 * bytes and headers that periscope answered. Run as a child process, like the subject:
 *
 *   bun bench/lib/fixed-answer-server.ts <port> <answer.json>
 *
 * where the file holds `{ "headers": {...}, "body": "..." }`.
 */
export {}

const [port, file] = process.argv.slice(2)
const answer = (await Bun.file(file!).json()) as { headers: Record<string, string>; body: string }
const body = new TextEncoder().encode(answer.body)
Bun.serve({
  hostname: '127.0.0.1',
  port: Number(port),
  fetch: () => new Response(body, { headers: answer.headers }),
})
console.log('ready')
