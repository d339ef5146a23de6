import type { Session } from 'electron'
import { isAllowedRequestUrl, type RendererTarget } from './renderer-target.ts'

/** Cancels every request of the renderer's session that is not for the app itself (no remote content). */
export function installRequestFilter(session: Pick<Session, 'webRequest'>, target: RendererTarget): void {
  session.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => {
    const allowed = isAllowedRequestUrl(target, details.url)
    if (!allowed) console.warn(`[shell] blocked request to ${details.url.slice(0, 200)}`)
    callback({ cancel: !allowed })
  })
}
