import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { installCspHeader, RENDERER_CSP, RENDERER_CSP_META_TAG, rendererCsp } from './csp.ts'
import { rendererTarget } from './renderer-target.ts'

const fileTarget = rendererTarget({ indexHtmlPath: '/app/out/renderer/index.html', isPackaged: true })
const devTarget = rendererTarget({ indexHtmlPath: '/x/index.html', devServerUrl: 'http://localhost:5173/', isPackaged: false })

describe('renderer CSP', () => {
  it('is the strict production policy', () => {
    expect(RENDERER_CSP).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
    expect(rendererCsp(fileTarget)).toBe(RENDERER_CSP)
  })

  it('has a meta-tag form without frame-ancestors', () => {
    expect(RENDERER_CSP_META_TAG).toBe(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self'; ` +
        `img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'" />`,
    )
  })

  it('matches the meta tag in renderer/index.html (a page from file:// gets no headers)', () => {
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8')
    const content = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/u.exec(html)?.[1]
    expect(content).toBe(/content="([^"]*)"/u.exec(RENDERER_CSP_META_TAG)?.[1])
  })

  it('relaxes only styles and the HMR socket for the dev server', () => {
    const dev = rendererCsp(devTarget)
    expect(dev).toContain("style-src 'self' 'unsafe-inline'")
    expect(dev).toContain("connect-src 'self' ws://localhost:5173")
    expect(dev).toContain("script-src 'self';")
    expect(dev).not.toContain('unsafe-eval')
  })

  type Details = { url: string; resourceType: string; responseHeaders?: Record<string, string[]> }
  function headersFor(target: typeof fileTarget, details: Details): unknown {
    let listener: ((details: Details, callback: (response: unknown) => void) => void) | undefined
    const session = { webRequest: { onHeadersReceived: (l: typeof listener) => (listener = l) } }
    installCspHeader(session as never, target)
    let answer: unknown
    listener!(details, (response) => (answer = response))
    return answer
  }

  it("replaces any CSP header of the app page's response with ours", () => {
    const responseHeaders = { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] }
    expect(headersFor(fileTarget, { url: fileTarget.url, resourceType: 'mainFrame', responseHeaders })).toEqual({
      responseHeaders: { 'Content-Security-Policy': [RENDERER_CSP], 'X-Content-Type-Options': ['nosniff'], 'X-Other': ['1'] },
    })
    expect(headersFor(devTarget, { url: 'http://localhost:5173/', resourceType: 'mainFrame', responseHeaders: {} })).toEqual({
      responseHeaders: { 'Content-Security-Policy': [rendererCsp(devTarget)], 'X-Content-Type-Options': ['nosniff'] },
    })
  })

  it('leaves other responses (assets, DevTools) alone', () => {
    expect(headersFor(devTarget, { url: 'http://localhost:5173/src/main.ts', resourceType: 'script', responseHeaders: {} })).toEqual({})
    expect(headersFor(devTarget, { url: 'devtools://devtools/bundled/devtools_app.html', resourceType: 'mainFrame' })).toEqual({})
  })
})
