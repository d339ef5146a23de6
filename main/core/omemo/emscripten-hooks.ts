/**
 * libsignal's asm.js Curve25519 (an Emscripten build) installs process-wide handlers when it loads:
 * `unhandledRejection` → abort() and an `uncaughtException` rethrower. In an app that would turn any
 * stray rejected promise anywhere into a crash. They serve nothing here; remove them.
 */
export function removeEmscriptenProcessHooks(): void {
  for (const listener of process.listeners('unhandledRejection')) {
    if (listener.name === 'abort') process.off('unhandledRejection', listener)
  }
  for (const listener of process.listeners('uncaughtException')) {
    if (listener.toString().includes('ExitStatus')) process.off('uncaughtException', listener)
  }
}
