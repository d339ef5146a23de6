import { realpathSync, statSync } from 'node:fs'
import { extname, resolve, sep } from 'node:path'

/** Content types for what a Vite build of the renderer produces. Anything else is served as bytes. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
}

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Maps a request path (`/assets/index-abc.js`, already without the query) to a regular file inside
 * `root`, or null. Refuses anything that would leave `root`: `..` segments (also percent-encoded),
 * backslashes, NUL bytes, and symlinks that point outside. `/` is `index.html`.
 */
export function resolveStaticFile(root: string, requestPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(requestPath)
  } catch {
    return null // malformed percent-encoding
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null
  if (decoded.split('/').some((segment) => segment === '..')) return null
  if (decoded.endsWith('/')) decoded += 'index.html'

  const realRoot = realpathOrNull(resolve(root))
  if (realRoot === null) return null
  const candidate = resolve(realRoot, `.${decoded}`)
  if (!candidate.startsWith(realRoot + sep)) return null
  const real = realpathOrNull(candidate)
  if (real === null || !real.startsWith(realRoot + sep)) return null
  try {
    return statSync(real).isFile() ? real : null
  } catch {
    return null
  }
}

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path)
  } catch {
    return null
  }
}
