/**
 * The bridge in a real browser (Debian's Chromium through playwright-core): the page served by the
 * bridge may open the WebSocket under its CSP (header and the renderer's <meta> policy together),
 * inline script is blocked, and a page from any other origin cannot reach the core even with the token.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Core } from '../core-types.ts'
import { startBridge, type Bridge } from './bridge-server.ts'
import { contentSecurityPolicy } from './csp.ts'
import { makeCore, makeSandbox, type Sandbox } from './test-support.ts'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Connects like renderer/src/lib/api.ts does in browser mode and reports into the DOM. */
const APP_JS = `
const out = document.getElementById('out')
const token = new URLSearchParams(location.search).get('token')
const ws = new WebSocket('ws://' + location.host + '/bridge?token=' + token)
ws.onopen = () => ws.send(JSON.stringify({ type: 'call', id: 1, method: 'app:state', params: {} }))
ws.onmessage = (e) => { out.textContent = e.data }
ws.onerror = () => { out.textContent = 'ws-error' }
`
/** The hostile page: same code, but served from another origin and aimed at the bridge's port. */
const hostileHtml = (port: number, token: string) => `<!doctype html><div id="out">pending</div><script>
const ws = new WebSocket('ws://127.0.0.1:${port}/bridge?token=${token}')
ws.onopen = () => { document.getElementById('out').textContent = 'opened' }
ws.onerror = () => { document.getElementById('out').textContent = 'ws-error' }
</script>`

const describeIfChromium = existsSync(CHROMIUM) ? describe : describe.skip

describeIfChromium('bridge in Chromium', () => {
  let sandbox: Sandbox
  let core: Core
  let bridge: Bridge
  let browser: Browser
  let hostile: Server

  beforeAll(async () => {
    const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy({ forMetaTag: true })}">`
    sandbox = makeSandbox(
      `<!doctype html><html><head>${meta}<script type="module" src="/assets/app.js"></script>` +
        `<script>window.inlineRan = true</script></head><body><div id="out">pending</div></body></html>`,
    )
    writeFileSync(join(sandbox.staticDir, 'assets', 'app.js'), APP_JS)
    core = await makeCore(sandbox.dataDir)
    bridge = await startBridge({ core, staticDir: sandbox.staticDir })
    hostile = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' })
      response.end(hostileHtml(bridge.port, bridge.token))
    })
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve))
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => hostile?.close(resolve))
    await bridge?.close()
    await core?.close()
    sandbox?.cleanup()
  })

  it('lets the page from the bridge call the core; blocks inline script', async () => {
    const page = await browser.newPage()
    const violations: string[] = []
    page.on('console', (message) => violations.push(message.text()))
    await page.goto(bridge.url)
    await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'pending', undefined, { timeout: 10_000 })
    const text = await page.textContent('#out')
    expect(JSON.parse(text ?? '')).toEqual({
      type: 'result',
      id: 1,
      result: { ok: true, result: { phase: 'ready', databaseExists: true, keyProtection: 'keychain' } },
    })
    expect(await page.evaluate(() => (window as unknown as { inlineRan?: boolean }).inlineRan)).toBeUndefined()
    expect(violations.join('\n')).toMatch(/Content Security Policy/u)
    await page.close()
  }, 30_000)

  it('refuses a page from another origin that knows the token', async () => {
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${(hostile.address() as AddressInfo).port}/`)
    await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'pending', undefined, { timeout: 10_000 })
    expect(await page.textContent('#out')).toBe('ws-error')
    await page.close()
  }, 30_000)
})
