/**
 * Makes sure a child server never outlives the test process.
 *
 * - Normal exit (including process.exit): a synchronous 'exit' handler SIGKILLs every guarded child.
 * - Abrupt death (SIGKILL, a worker killed by the runner, a crash): a tiny `sh` watchdog holds the read
 *   end of a pipe whose write end only this process holds; when this process dies the pipe closes,
 *   `read` returns and the watchdog SIGKILLs the child by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process'

/** Guarded child → its watchdog. */
const guardedChildren = new Map<ChildProcess, ChildProcess>()
let exitHandlerInstalled = false

export interface OrphanGuard {
  /** Call once the child has exited: disarms the watchdog without touching the (gone) PID. */
  release(): void
}

export function guardAgainstOrphan(child: ChildProcess): OrphanGuard {
  installExitHandler()
  const watchdog = spawn('sh', ['-c', 'read -r _ignored; kill -KILL "$1" 2>/dev/null', 'orphan-watchdog', String(child.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: false,
  })
  watchdog.on('error', () => undefined)
  watchdog.stdin?.on('error', () => undefined)
  watchdog.unref()
  // The pipe must not keep the event loop alive either.
  ;(watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.()
  guardedChildren.set(child, watchdog)
  return {
    release() {
      guardedChildren.delete(child)
      killIfRunning(watchdog)
    },
  }
}

function installExitHandler(): void {
  if (exitHandlerInstalled) return
  exitHandlerInstalled = true
  process.on('exit', () => {
    for (const [child, watchdog] of guardedChildren) {
      killIfRunning(child)
      killIfRunning(watchdog)
    }
  })
}

function killIfRunning(subprocess: ChildProcess): void {
  if (subprocess.exitCode === null && subprocess.signalCode === null) subprocess.kill('SIGKILL')
}
