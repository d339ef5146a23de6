/**
 * The renderer's Content-Security-Policy, one source for every way the UI is served:
 * the Electron window (main/shell/csp.ts) and browser mode (bridge-server.ts).
 *
 * No inline script or style, no eval, no remote content: everything the renderer needs ships in
 * out/renderer. `img-src data:` is for small inline images (avatars, icons); `connect-src` is
 * widened only by the caller that really opens a connection (the bridge's own WebSocket URL).
 */
export interface CspOptions {
  /** Extra sources for connect-src besides 'self' (browser mode: `ws://127.0.0.1:PORT`). */
  connectSrc?: readonly string[]
  /**
   * `frame-ancestors` is honoured only in a response header; a `<meta>` policy must leave it out
   * (browsers ignore it there and log a warning).
   */
  forMetaTag?: boolean
}

const SOURCE = /^(?:'self'|'none'|(?:ws|wss|http|https):\/\/[A-Za-z0-9.[\]:-]+(?::\d{1,5})?)$/u

export function contentSecurityPolicy(options: CspOptions = {}): string {
  const connectSrc = ["'self'", ...(options.connectSrc ?? [])]
  for (const source of connectSrc) {
    // A source with a space or a semicolon would inject a directive: refuse anything unusual.
    if (!SOURCE.test(source)) throw new Error(`Not a CSP source: ${source}`)
  }
  const directives = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connectSrc.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
  ]
  if (!options.forMetaTag) directives.push("frame-ancestors 'none'")
  return directives.join('; ')
}
