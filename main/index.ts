/**
 * The Electron main process: single instance, the hardened window, and the core behind IPC.
 * All behaviour is in main/core; this file only wires it to Electron (the pieces are in main/shell).
 */
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session, type WebContents } from 'electron'
import type { Core } from './core/core-types.ts'
import { createCore } from './core/index.ts'
import { installCspHeader } from './shell/csp.ts'
import { forwardCoreEvents, isTrustedFrame, registerIpcHandlers } from './shell/ipc.ts'
import { createKeychainKeyProvider } from './shell/key-storage.ts'
import { installPermissionHandlers } from './shell/permissions.ts'
import { isAppPageUrl, rendererTarget } from './shell/renderer-target.ts'
import { PendingUris, protocolClientArgs, URI_SCHEME, uriFromArgv } from './shell/uri-handler.ts'
import { installRequestFilter } from './shell/web-requests.ts'
import { createMainWindow, hardenWebContents } from './shell/window.ts'

const APP_ID = 'org.ciphermoon.desktop'

// out/main/index.js → out/preload/index.cjs and out/renderer/index.html (also inside app.asar).
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url))
const indexHtmlPath = fileURLToPath(new URL('../renderer/index.html', import.meta.url))
const iconPath = fileURLToPath(new URL('../../resources/icon.png', import.meta.url))

app.enableSandbox()

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  run()
}

function run(): void {
  const target = rendererTarget({ indexHtmlPath, devServerUrl: process.env.ELECTRON_RENDERER_URL, isPackaged: app.isPackaged })
  let mainWindow: BrowserWindow | null = null
  let core: Core | null = null
  const cleanups: Array<() => void> = []
  // xmpp: links (XEP-0147) reach the core once the window can show what they ask for.
  const pendingUris = new PendingUris((uri) => core?.openUri(uri))

  const isMainWindowContents = (contents: WebContents | null | undefined): boolean =>
    contents !== null && contents !== undefined && mainWindow !== null && !mainWindow.isDestroyed() && contents === mainWindow.webContents

  const showMainWindow = (): void => {
    if (!core) return
    if (mainWindow && !mainWindow.isDestroyed()) {
      if (mainWindow.isMinimized()) mainWindow.restore()
      mainWindow.show()
      mainWindow.focus()
      return
    }
    mainWindow = createMainWindow({ preloadPath, target, ...(process.platform === 'linux' ? { iconPath } : {}) })
    pendingUris.setReady(false)
    mainWindow.webContents.on('did-finish-load', () => pendingUris.setReady(core !== null))
    mainWindow.on('closed', () => {
      mainWindow = null
      pendingUris.setReady(false)
    })
  }

  app.setAppUserModelId(APP_ID)
  const { execPath, args } = protocolClientArgs({ defaultApp: process.defaultApp === true, execPath: process.execPath, argv: process.argv })
  if (!app.setAsDefaultProtocolClient(URI_SCHEME, execPath, args)) console.warn('[shell] could not register as the xmpp: link handler')
  // Windows/Linux: a link opened while the app runs starts a second instance with it on the command line.
  app.on('second-instance', (_event, argv) => {
    showMainWindow()
    const uri = uriFromArgv(argv)
    if (uri) pendingUris.push(uri)
  })
  // macOS: links arrive as open-url, also before the app is ready (when a link launched it).
  app.on('open-url', (event, url) => {
    event.preventDefault()
    pendingUris.push(url)
    showMainWindow()
  })
  const launchUri = uriFromArgv(process.argv)
  if (launchUri) pendingUris.push(launchUri)
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, target))

  app
    .whenReady()
    .then(async () => {
      const defaultSession = session.defaultSession
      installRequestFilter(defaultSession, target)
      installCspHeader(defaultSession, target)
      installPermissionHandlers(defaultSession, (contents) => isMainWindowContents(contents) && isAppPageUrl(target, contents!.getURL()))

      const dataDir = app.getPath('userData')
      const { provider, decision } = await createKeychainKeyProvider(safeStorage, dataDir)
      console.log(`[shell] database key: ${decision.use}${'reason' in decision ? ` (${decision.reason})` : ''}`)
      // With a keychain key the core opens the database right away; with a passphrase it starts locked
      // and the renderer asks for the passphrase (app:unlock).
      core = await createCore({ dataDir, keyProvider: provider })

      cleanups.push(
        registerIpcHandlers(
          ipcMain,
          core,
          (event) => isMainWindowContents(event.sender) && isTrustedFrame(event.senderFrame, (url) => isAppPageUrl(target, url)),
        ),
        forwardCoreEvents(core, () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null)),
      )
      showMainWindow()
      app.on('activate', () => showMainWindow())
    })
    .catch((error: unknown) => {
      console.error('[shell] startup failed:', error)
      dialog.showErrorBox('Ciphermoon cannot start', error instanceof Error ? error.message : String(error))
      app.exit(1)
    })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  // Close the core (accounts offline, database closed) before the process ends.
  let coreClosed = false
  app.on('will-quit', (event) => {
    if (coreClosed || !core) return
    event.preventDefault()
    const closing = core
    core = null
    for (const cleanup of cleanups.splice(0)) cleanup()
    closing
      .close()
      .catch((error: unknown) => console.error('[shell] closing the core failed:', error))
      .finally(() => {
        coreClosed = true
        app.quit()
      })
  })
}
