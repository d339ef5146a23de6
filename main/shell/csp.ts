import type { Session } from 'electron'
import { contentSecurityPolicy } from '../core/bridge/csp.ts'
import { isAppPageUrl, type RendererTarget } from './renderer-target.ts'

/** The production renderer's policy (the same as browser mode, without the bridge's WebSocket). */
export const RENDERER_CSP = contentSecurityPolicy()

/**
 * The same policy as a `<meta>` tag for renderer/index.html (frame-ancestors cannot be set there).
 * A page loaded from file:// gets no response headers, so in production this tag is what applies.
 */
export const RENDERER_CSP_META_TAG = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy({ forMetaTag: true })}" />`

/**
 * The policy sent as a header for the renderer's own responses. The dev server (never in a packaged
 * app) needs two relaxations: Vite injects CSS as <style> elements and uses a WebSocket for HMR.
 */
export function rendererCsp(target: RendererTarget): string {
  if (target.kind === 'file') return RENDERER_CSP
  const hmrSocket = `ws://${new URL(target.origin).host}`
  // security-scan: allow CSP -- dev server only: a packaged app never has a 'dev' target (rendererTarget ignores ELECTRON_RENDERER_URL when packaged), and Vite's dev server injects CSS as <style> elements
  return contentSecurityPolicy({ connectSrc: [hmrSocket] }).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
}

/**
 * Sets the policy (and nosniff) on the app page's own document response. Other responses (assets,
 * DevTools, which has its own policy) are left as they are: a CSP applies to documents.
 */
export function installCspHeader(session: Pick<Session, 'webRequest'>, target: RendererTarget): void {
  const policy = rendererCsp(target)
  session.webRequest.onHeadersReceived((details, callback) => {
    if (details.resourceType !== 'mainFrame' || !isAppPageUrl(target, details.url)) {
      callback({})
      return
    }
    const headers = { ...details.responseHeaders }
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'content-security-policy') delete headers[name]
    }
    headers['Content-Security-Policy'] = [policy]
    headers['X-Content-Type-Options'] = ['nosniff']
    callback({ responseHeaders: headers })
  })
}
