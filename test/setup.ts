/**
 * Preloaded by `bun test`: fails the run on unhandled rejections, which would
 * otherwise hide a broken background task.
 */
process.on('unhandledRejection', (reason) => {
  console.error('unhandled rejection in a test:', reason)
  process.exitCode = 1
})
