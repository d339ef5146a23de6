import { resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * Where the renderer comes from, and which URLs therefore belong to the app. Everything that trusts
 * a URL (IPC senders, permissions, navigation, web requests) asks this one place.
 */
export type RendererTarget =
  /** Production: out/renderer/index.html from disk (inside app.asar when packaged). */
  | { kind: 'file'; url: string; rendererDir: string }
  /** `electron-vite dev`: the Vite dev server on loopback. Never used by a packaged app. */
  | { kind: 'dev'; url: string; origin: string }

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

export function rendererTarget(options: { indexHtmlPath: string; devServerUrl?: string; isPackaged: boolean }): RendererTarget {
  // ELECTRON_RENDERER_URL is set by electron-vite dev. A packaged app ignores it, so nobody can point
  // the real app (and its IPC) at another page through the environment.
  if (!options.isPackaged && options.devServerUrl) {
    const dev = new URL(options.devServerUrl)
    if (dev.protocol !== 'http:' || !LOOPBACK_HOSTS.has(dev.hostname)) {
      throw new Error(`ELECTRON_RENDERER_URL must be an http URL on loopback, not ${options.devServerUrl}`)
    }
    return { kind: 'dev', url: dev.href, origin: dev.origin }
  }
  const indexHtmlPath = resolve(options.indexHtmlPath)
  return { kind: 'file', url: pathToFileURL(indexHtmlPath).href, rendererDir: resolve(indexHtmlPath, '..') }
}

function parse(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/** Is this the app's own page (for the top frame: IPC senders, permissions)? */
export function isAppPageUrl(target: RendererTarget, url: string): boolean {
  const parsed = parse(url)
  if (!parsed) return false
  if (target.kind === 'dev') return parsed.origin === target.origin
  parsed.hash = ''
  parsed.search = ''
  return parsed.href === target.url
}

/** A file URL that names a file inside `dir` (after normalisation; encoded separators are refused). */
function isFileInside(parsed: URL, dir: string): boolean {
  if (parsed.protocol !== 'file:' || parsed.host !== '') return false
  let path: string
  try {
    path = fileURLToPath(parsed) // throws on %2F / %5C and on NUL
  } catch {
    return false
  }
  return resolve(path).startsWith(dir + sep)
}

/**
 * May the renderer's session load this URL at all (session.webRequest.onBeforeRequest)? Only the
 * app's own files (or the dev server, including Vite's HMR socket), inline data images, and DevTools.
 * Everything remote is cancelled before it leaves the machine.
 */
export function isAllowedRequestUrl(target: RendererTarget, url: string): boolean {
  const parsed = parse(url)
  if (!parsed) return false
  if (parsed.protocol === 'data:' || parsed.protocol === 'devtools:') return true
  if (target.kind === 'file') return isFileInside(parsed, target.rendererDir)
  const dev = new URL(target.origin)
  if (parsed.origin === target.origin) return true
  return parsed.protocol === 'ws:' && parsed.host === dev.host
}
