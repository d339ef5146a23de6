/**
 * A small app written the way the checks want it (for the scan's tests): a window built by a factory
 * in another file, navigation and new windows denied, links through the URL validator, permission
 * handlers, a CSP header and a strict CSP <meta>. Tests change one thing at a time and expect exactly
 * the finding that change deserves.
 */
import type { HtmlFile } from './check.ts'

export const GOOD_CODE: Readonly<Record<string, string>> = {
  'main/shell/navigation.ts': `
export function externalLinkTarget(url: string): string | null {
  return url.startsWith('https:') ? url : null
}
`,
  'main/shell/window-options.ts': `
export function windowOptions(preload: string, bounds?: { width: number }) {
  return {
    height: 600,
    ...(bounds ?? {}),
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    },
  }
}
`,
  'main/shell/window.ts': `
import { BrowserWindow, shell } from 'electron'
import { externalLinkTarget } from './navigation.ts'
import { windowOptions } from './window-options.ts'

export function openWindow(): BrowserWindow {
  const window = new BrowserWindow(windowOptions('/app/preload.cjs'))
  window.webContents.on('will-navigate', (event, url) => {
    event.preventDefault()
    console.log(url)
  })
  window.webContents.setWindowOpenHandler(({ url }) => {
    const target = externalLinkTarget(url)
    if (target) void shell.openExternal(target)
    return { action: 'deny' }
  })
  void shell.openExternal('https://example.org/help')
  void window.loadURL('file:///app/index.html')
  return window
}
`,
  'main/shell/session.ts': `
import type { Session } from 'electron'

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((contents, permission, callback) => {
    callback(permission === 'notifications')
  })
  session.setPermissionCheckHandler(() => false)
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': ["default-src 'none'"] } })
  })
}
`,
  'main/index.ts': `
import { app, ipcMain } from 'electron'
import { openWindow } from './shell/window.ts'

app.commandLine.appendSwitch('enable-features', 'OverlayScrollbar')
ipcMain.handle('app:state', () => ({ phase: 'ready' }))
void app.whenReady().then(() => openWindow())
`,
}

export const GOOD_HTML: readonly HtmlFile[] = [
  {
    path: 'renderer/index.html',
    text: `<!doctype html>
<html>
  <head>
    <meta
      http-equiv="Content-Security-Policy"
      content="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'"
    />
  </head>
  <body>
    <script type="module" src="./src/main.ts"></script>
  </body>
</html>
`,
  },
]
