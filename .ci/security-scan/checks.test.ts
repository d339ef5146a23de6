/**
 * Each check against bad code: the fixture app scans clean, and each change of one thing is reported
 * as exactly the finding it deserves, at the right place, with a message that says what is wrong.
 */
import { describe, expect, it } from 'vitest'
import type { HtmlFile } from './check.ts'
import { GOOD_CODE, GOOD_HTML } from './fixture-app.ts'
import { locationOf, type Finding, type ScanResult } from './findings.ts'
import { scanSources } from './scan.ts'

type Change = string | ((text: string) => string) | null

function scan(changes: Record<string, Change> = {}, html: readonly HtmlFile[] = GOOD_HTML): ScanResult {
  const code = new Map(Object.entries(GOOD_CODE))
  for (const [path, change] of Object.entries(changes)) {
    if (change === null) code.delete(path)
    else if (typeof change === 'string') code.set(path, change)
    else code.set(path, change(code.get(path) ?? ''))
  }
  return scanSources({ code, html })
}

/** A change that fails loudly if the fixture no longer has the text, so no test passes by accident. */
function replace(from: string, to: string): (text: string) => string {
  return (text) => {
    if (!text.includes(from)) throw new Error(`the fixture has no ${JSON.stringify(from)}`)
    return text.replace(from, to)
  }
}

function lineOf(text: string, snippet: string): number {
  const index = text.indexOf(snippet)
  if (index < 0) throw new Error(`no ${JSON.stringify(snippet)}`)
  return text.slice(0, index).split('\n').length
}

const described = (findings: readonly Finding[]): string[] => findings.map((finding) => `${finding.check} ${locationOf(finding)} ${finding.message}`)

function onlyFinding(result: ScanResult): Finding {
  expect(described(result.findings)).toHaveLength(1)
  return result.findings[0]!
}

const WINDOW_OPTIONS = 'main/shell/window-options.ts'
const WINDOW = 'main/shell/window.ts'
const SESSION = 'main/shell/session.ts'
const INDEX = 'main/index.ts'

describe('the fixture app', () => {
  it('scans clean', () => {
    expect(described(scan().findings)).toEqual([])
    expect(scan().justified).toEqual([])
  })
})

describe('webPreferences, followed into the options factory', () => {
  it.each([
    ['contextIsolation: true', 'contextIsolation: false', 'CONTEXT_ISOLATION', /contextIsolation is false; it must be true/u],
    ['      sandbox: true,\n', '', 'SANDBOX', /sandbox is not set; set it to true explicitly/u],
    ['nodeIntegration: false', 'nodeIntegration: true', 'NODE_INTEGRATION', /nodeIntegration is true; it must be false/u],
    ['nodeIntegrationInSubFrames: false', 'nodeIntegrationInSubFrames: preload.length > 0', 'NODE_INTEGRATION', /nodeIntegrationInSubFrames is not a constant/u],
    ['webSecurity: true', 'webSecurity: false', 'WEB_SECURITY', /webSecurity is false; it must be true/u],
    ['allowRunningInsecureContent: false', 'allowRunningInsecureContent: true', 'INSECURE_CONTENT', /allowRunningInsecureContent is true/u],
    ['experimentalFeatures: false', 'experimentalFeatures: true', 'EXPERIMENTAL_FEATURES', /experimentalFeatures is true/u],
    ['webviewTag: false', 'webviewTag: true', 'WEBVIEW_TAG', /webviewTag is true; it must be false/u],
    ['webviewTag: false,', "webviewTag: false,\n      enableBlinkFeatures: 'CSSVariables',", 'BLINK_FEATURES', /enableBlinkFeatures/u],
    ['webviewTag: false,', 'webviewTag: false,\n      enableRemoteModule: true,', 'REMOTE_MODULE', /enableRemoteModule/u],
    ['      preload,\n', '      preload,\n      ...extraPreferences(),\n', 'WEB_PREFERENCES', /a spread in webPreferences may override/u],
  ])('%s → %s is reported as %s', (from, to, check, message) => {
    const finding = onlyFinding(scan({ [WINDOW_OPTIONS]: replace(from, to) }))
    expect(finding).toMatchObject({ check, file: WINDOW_OPTIONS, message: expect.stringMatching(message) })
  })

  it('accepts a switch given by a const, and reports its place when it is wrong', () => {
    const viaConst = (value: string) =>
      replace('export function windowOptions', `const isolate = ${value}\nexport function windowOptions`)
    expect(described(scan({ [WINDOW_OPTIONS]: (text) => replace('contextIsolation: true', 'contextIsolation: isolate')(viaConst('true')(text)) }).findings)).toEqual([])
    const changed = replace('contextIsolation: true', 'contextIsolation: isolate')(viaConst('false')(GOOD_CODE[WINDOW_OPTIONS]!))
    expect(onlyFinding(scan({ [WINDOW_OPTIONS]: changed }))).toEqual({
      check: 'CONTEXT_ISOLATION',
      file: WINDOW_OPTIONS,
      line: lineOf(changed, 'contextIsolation: isolate'),
      column: 25,
      message: 'contextIsolation is false; it must be true',
    })
  })

  it('reports options it cannot follow, a missing webPreferences, a spread that may replace it, and a window without options', () => {
    expect(onlyFinding(scan({ [WINDOW]: replace("windowOptions('/app/preload.cjs')", "loadOptionsFromDisk('/app/preload.cjs')") }))).toMatchObject({
      check: 'WINDOW_OPTIONS',
      file: WINDOW,
      message: expect.stringMatching(/options cannot be checked statically/u),
    })
    const withoutPreferences = scan({ [WINDOW_OPTIONS]: 'export function windowOptions(preload: string) { return { height: 600, title: preload } }' })
    expect(onlyFinding(withoutPreferences)).toMatchObject({ check: 'WEB_PREFERENCES', message: expect.stringMatching(/have no webPreferences/u) })
    const spreadAny = scan({ [WINDOW_OPTIONS]: replace('...(bounds ?? {}),', '...(bounds as any),') })
    expect(onlyFinding(spreadAny)).toMatchObject({ check: 'WEB_PREFERENCES', message: 'this spread may replace webPreferences' })
    const view = scan({ [INDEX]: (text) => `${text}\nimport { BrowserView } from 'electron'\nexport const view = new BrowserView()\n` })
    expect(onlyFinding(view)).toMatchObject({ check: 'WINDOW_OPTIONS', file: INDEX, message: expect.stringMatching(/new BrowserView\(\) without options/u) })
  })

  it('checks webPreferences written anywhere, e.g. options for another window', () => {
    const result = scan({ 'main/shell/popup.ts': 'export const popupOptions = { webPreferences: { contextIsolation: true, sandbox: false } }' })
    expect(result.findings.every((finding) => finding.file === 'main/shell/popup.ts')).toBe(true)
    expect(described(result.findings)).toContain('SANDBOX main/shell/popup.ts:1:82 sandbox is false; it must be true')
    expect(result.findings.map((finding) => finding.check)).toContain('NODE_INTEGRATION')
  })
})

describe('navigation and new windows', () => {
  it('reports a will-navigate handler that does not always prevent the navigation', () => {
    const conditional = scan({ [WINDOW]: replace('    event.preventDefault()\n', "    if (url.startsWith('http')) event.preventDefault()\n") })
    expect(onlyFinding(conditional)).toMatchObject({ check: 'LIMIT_NAVIGATION', file: WINDOW, line: lineOf(GOOD_CODE[WINDOW]!, "window.webContents.on('will-navigate'") })
  })

  it('reports an app without a will-navigate handler', () => {
    const none = scan({ [WINDOW]: replace("on('will-navigate'", "on('did-navigate'") })
    expect(onlyFinding(none)).toEqual({ check: 'LIMIT_NAVIGATION', message: "no will-navigate handler: the renderer may navigate away from the app's page" })
  })

  it("reports a window open handler that may allow, and an app without one", () => {
    const allows = scan({ [WINDOW]: replace("    return { action: 'deny' }", "    if (url.endsWith('.pdf')) return { action: 'allow' }\n    return { action: 'deny' }") })
    expect(onlyFinding(allows)).toMatchObject({ check: 'NEW_WINDOW', file: WINDOW, message: expect.stringMatching(/does not always answer \{ action: 'deny' \}/u) })
    const none = scan({ [WINDOW]: replace('window.webContents.setWindowOpenHandler(', 'registerLater(') })
    expect(onlyFinding(none)).toMatchObject({ check: 'NEW_WINDOW', message: expect.stringMatching(/no setWindowOpenHandler/u) })
  })
})

describe('shell.openExternal', () => {
  it('reports a URL that did not go through the validator', () => {
    const unvalidated = scan({ [WINDOW]: replace('void shell.openExternal(target)', 'void shell.openExternal(url)') })
    expect(onlyFinding(unvalidated)).toMatchObject({
      check: 'OPEN_EXTERNAL',
      file: WINDOW,
      message: expect.stringMatching(/openExternal with a value not checked by a URL validator; pass a const from externalLinkTarget \(main\/shell\/navigation.ts\)/u),
    })
  })

  it('does not accept a look-alike validator defined elsewhere, nor openPath with a variable', () => {
    const lookAlike = scan({
      [WINDOW]: (text) =>
        replace("import { externalLinkTarget } from './navigation.ts'\n", '')(text) + '\nfunction externalLinkTarget(url: string): string { return url }\n',
    })
    expect(onlyFinding(lookAlike)).toMatchObject({ check: 'OPEN_EXTERNAL', file: WINDOW })
    const openPath = scan({ [INDEX]: (text) => `${text}\nimport { shell } from 'electron'\nexport const openDownload = (path: string) => shell.openPath(path)\n` })
    expect(onlyFinding(openPath)).toMatchObject({ check: 'OPEN_EXTERNAL', file: INDEX, message: expect.stringMatching(/^openPath with a value/u) })
  })
})

describe('permissions', () => {
  it('reports a missing request handler and a missing check handler', () => {
    const result = scan({ [SESSION]: replace('session.setPermissionRequestHandler(', 'void (') })
    expect(onlyFinding(result)).toEqual({ check: 'PERMISSION_HANDLER', message: 'no session.setPermissionRequestHandler: Electron grants every permission by default' })
    expect(described(scan({ [SESSION]: replace('session.setPermissionCheckHandler(() => false)', '') }).findings)).toEqual([
      'PERMISSION_HANDLER (whole app) no session.setPermissionCheckHandler: Electron grants every permission by default',
    ])
  })

  it('reports a handler that grants everything, and removing one', () => {
    const grantsAll = scan({ [SESSION]: replace("callback(permission === 'notifications')", 'callback(true)') })
    expect(onlyFinding(grantsAll)).toMatchObject({ check: 'PERMISSION_HANDLER', file: SESSION, message: 'this permission request handler grants every request' })
    const removed = scan({ [SESSION]: replace('session.setPermissionCheckHandler(() => false)', 'session.setPermissionCheckHandler(null)') })
    expect(described(removed.findings)).toEqual([
      'PERMISSION_HANDLER (whole app) no session.setPermissionCheckHandler: Electron grants every permission by default',
      expect.stringMatching(/^PERMISSION_HANDLER main\/shell\/session.ts:\d+:\d+ setPermissionCheckHandler\(null\) removes the handler/u),
    ])
  })
})

describe('Content-Security-Policy', () => {
  const page = (policy: string | null): HtmlFile[] => [
    {
      path: 'renderer/index.html',
      text: policy === null ? '<html><head></head></html>' : `<html>\n<head>\n<meta http-equiv="Content-Security-Policy" content="${policy}">\n</head></html>`,
    },
  ]

  it('reports a page without a policy', () => {
    expect(onlyFinding(scan({}, page(null)))).toMatchObject({ check: 'CSP', file: 'renderer/index.html', message: 'no Content-Security-Policy <meta> tag' })
  })

  it.each([
    ["default-src 'none'; script-src 'self' 'unsafe-inline'", "script-src allows 'unsafe-inline'"],
    ["default-src 'self'; script-src 'self' 'unsafe-eval'", "script-src allows 'unsafe-eval'"],
    ["default-src 'none'; script-src 'self' https://cdn.example.com", "script-src allows https://cdn.example.com (not the app's own files)"],
    ["default-src 'none'; connect-src *", "connect-src allows * (not the app's own files)"],
    ["default-src 'none'; script-src 'self' data:", "script-src allows data: (not the app's own files)"],
    ["script-src 'self'", 'no default-src: every directive not listed allows any source'],
    ["default-src 'none'; script-src 'self'; object-src https:", "object-src must be 'none' or 'self'"],
  ])('reports %s', (policy, problem) => {
    const findings = scan({}, page(policy)).findings
    expect(described(findings)).toContain(`CSP renderer/index.html:3:1 Content-Security-Policy: ${problem}`)
  })

  it('reports code that weakens a policy, and a main process that sends none', () => {
    const weakened = scan({ [SESSION]: replace(`["default-src 'none'"]`, `["default-src 'none'; script-src 'self' 'unsafe-eval'"]`) })
    expect(onlyFinding(weakened)).toMatchObject({ check: 'CSP', file: SESSION, message: "'unsafe-eval' in a string: a policy built from it allows inline code or eval" })
    const noHeader = scan({ [SESSION]: replace("'Content-Security-Policy': ", "'X-Frame-Options': ") })
    expect(onlyFinding(noHeader)).toEqual({ check: 'CSP', message: 'the main process sets no Content-Security-Policy header' })
  })
})

describe('remote and insecure content', () => {
  it('reports http and remote pages loaded by the main process', () => {
    const http = scan({ [WINDOW]: replace("window.loadURL('file:///app/index.html')", "window.loadURL('http://example.org/')") })
    expect(onlyFinding(http)).toMatchObject({ check: 'HTTP_RESOURCES', file: WINDOW, message: 'loadURL of a plain http: URL' })
    const remote = scan({ [WINDOW]: replace("window.loadURL('file:///app/index.html')", 'window.loadURL(`https://${process.env.HOST}/app`)') })
    expect(onlyFinding(remote)).toMatchObject({ check: 'REMOTE_CONTENT', message: 'loadURL of a remote page: the app shows only its own files' })
  })

  it('reports remote resources and webviews in a page', () => {
    const text = GOOD_HTML[0]!.text.replace('</body>', '<script src="http://cdn.example.com/x.js"></script>\n<webview src="./inner.html" allowpopups></webview>\n</body>')
    expect(described(scan({}, [{ path: 'renderer/index.html', text }]).findings)).toEqual([
      'HTTP_RESOURCES renderer/index.html:11:11 a resource over plain http:',
      'ALLOW_POPUPS renderer/index.html:12:1 allowpopups lets a webview open windows',
      'WEBVIEW_TAG renderer/index.html:12:1 a <webview> tag',
    ])
  })
})

describe('the remote module, protocols, code from strings, certificates, switches', () => {
  const addToIndex = (code: string) => ({ [INDEX]: (text: string) => `${text}\n${code}\n` })

  it.each([
    ["import { initialize } from '@electron/remote/main'", 'REMOTE_MODULE', 'imports the remote module (@electron/remote/main)'],
    ["import { remote as r } from 'electron'", 'REMOTE_MODULE', 'imports the remote module (electron)'],
    ["const remote = require('@electron/remote')", 'REMOTE_MODULE', 'loads the remote module (@electron/remote)'],
    ["import { protocol } from 'electron'\nprotocol.registerFileProtocol('app', () => undefined)", 'PROTOCOL_HANDLER', 'protocol.registerFileProtocol serves content to the renderer; review what it can return'],
    ["import { protocol } from 'electron'\nprotocol.handle('app', () => new Response(''))", 'PROTOCOL_HANDLER', 'protocol.handle serves content to the renderer; review what it can return'],
    ["export const schemes = [{ scheme: 'app', privileges: { standard: true, bypassCSP: true } }]", 'PROTOCOL_HANDLER', 'a privileged scheme with bypassCSP ignores the Content-Security-Policy'],
    ["export const run = (contents: { executeJavaScript(code: string): void }) => contents.executeJavaScript('document.title')", 'DANGEROUS_FUNCTION', 'executeJavaScript runs a string in the renderer'],
    ['export const value = eval("1 + 1")', 'DANGEROUS_FUNCTION', 'eval compiles a string as code'],
    ["export const make = new Function('a', 'return a')", 'DANGEROUS_FUNCTION', 'new Function compiles a string as code'],
    ["app.on('certificate-error', (event) => event.preventDefault())", 'CERTIFICATE_ERROR_EVENT', 'a certificate-error handler can accept an untrusted certificate'],
    ['export const trustAll = (session: any) => session.setCertificateVerifyProc((request: unknown, callback: (code: number) => void) => callback(0))', 'CERTIFICATE_VERIFY_PROC', 'a custom certificate verifier replaces Chromium’s checks'],
    ["process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'", 'TLS_VERIFICATION_DISABLED', 'NODE_TLS_REJECT_UNAUTHORIZED turns off TLS verification for the whole process'],
    ["app.commandLine.appendSwitch('ignore-certificate-errors')", 'CUSTOM_ARGUMENTS', "--ignore-certificate-errors weakens Chromium's security"],
    ["app.commandLine.appendSwitch('--remote-debugging-port=9222')", 'CUSTOM_ARGUMENTS', "--remote-debugging-port weakens Chromium's security"],
    ['app.commandLine.appendSwitch(process.argv[2] ?? "")', 'CUSTOM_ARGUMENTS', 'appendSwitch with a switch that is not a constant'],
    ["process.env['ELECTRON_DISABLE_SECURITY_WARNINGS'] = 'true'", 'SECURITY_WARNINGS_DISABLED', "ELECTRON_DISABLE_SECURITY_WARNINGS hides Electron's security warnings"],
  ])('%s → %s', (code, check, message) => {
    expect(onlyFinding(scan(addToIndex(code)))).toMatchObject({ check, file: INDEX, message })
  })

  it('leaves alone what only looks similar: ipcMain.handle, a harmless switch', () => {
    // The fixture's main/index.ts has both; adding nothing must stay clean.
    expect(GOOD_CODE[INDEX]).toContain("ipcMain.handle('app:state'")
    expect(GOOD_CODE[INDEX]).toContain("appendSwitch('enable-features'")
    expect(scan().findings).toEqual([])
  })
})
