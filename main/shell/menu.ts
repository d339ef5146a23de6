/**
 * The application menu, built from roles so that labels, shortcuts and behaviour follow each
 * platform's conventions (Electron fills them in). macOS: the app menu comes first; Windows/Linux:
 * a File menu with Quit (Ctrl+Q). Reload and the developer tools only in development.
 */
import type { MenuItemConstructorOptions } from 'electron'

export interface MenuOptions {
  platform: NodeJS.Platform
  /** Not packaged (`!app.isPackaged`). */
  isDev: boolean
  appName: string
}

const separator: MenuItemConstructorOptions = { type: 'separator' }

export function applicationMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin'
  const first: MenuItemConstructorOptions = mac
    ? {
        label: options.appName,
        submenu: [
          { role: 'about' },
          separator,
          { role: 'services' },
          separator,
          { role: 'hide' },
          { role: 'hideOthers' },
          { role: 'unhide' },
          separator,
          { role: 'quit' },
        ],
      }
    : { label: '&File', submenu: [{ role: 'quit', accelerator: 'Ctrl+Q' }] }
  const edit: MenuItemConstructorOptions = {
    label: mac ? 'Edit' : '&Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, separator, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  }
  const view: MenuItemConstructorOptions = {
    label: mac ? 'View' : '&View',
    submenu: [
      ...(options.isDev ? [{ role: 'reload' } as const, { role: 'toggleDevTools' } as const, separator] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  }
  const window: MenuItemConstructorOptions = {
    role: 'windowMenu',
    submenu: mac ? [{ role: 'minimize' }, { role: 'close' }, separator, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }],
  }
  return [first, edit, view, window]
}
