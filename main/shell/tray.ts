/**
 * The tray (notification area / menu bar) icon: shows the unread total in its tooltip, a click brings
 * the window up, and its menu has "Show Ciphermoon" and "Quit". Pure builders plus a thin `createTray`
 * that gets Electron's classes passed in (main/index.ts).
 */
import type { Menu, MenuItemConstructorOptions, NativeImage, Tray } from 'electron'

export const APP_NAME = 'Ciphermoon'

export function trayTooltip(unread: number): string {
  return unread > 0 ? `${APP_NAME} — ${unread} unread` : APP_NAME
}

export function trayMenuTemplate(actions: { show(): void; quit(): void }): MenuItemConstructorOptions[] {
  return [
    { label: `Show ${APP_NAME}`, click: () => actions.show() },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ]
}

/** Tray icons are drawn at 16 px on macOS and Windows; Linux status areas mostly use 22 px (or scale up). */
export function trayIconSize(platform: NodeJS.Platform): number {
  return platform === 'linux' ? 22 : 16
}

export interface TrayElectron {
  Tray: new (image: NativeImage) => Pick<Tray, 'setToolTip' | 'setContextMenu' | 'on' | 'destroy'>
  Menu: Pick<typeof Menu, 'buildFromTemplate'>
  nativeImage: { createFromPath(path: string): NativeImage }
}

export interface AppTray {
  setUnread(unread: number): void
  destroy(): void
}

export function createTray(
  electron: TrayElectron,
  options: { iconPath: string; platform: NodeJS.Platform; show(): void; quit(): void },
): AppTray {
  const size = trayIconSize(options.platform)
  const image = electron.nativeImage.createFromPath(options.iconPath).resize({ width: size, height: size, quality: 'best' })
  const tray = new electron.Tray(image)
  tray.setToolTip(trayTooltip(0))
  tray.setContextMenu(electron.Menu.buildFromTemplate(trayMenuTemplate(options)))
  // Windows and Linux: a click on the icon shows the window (macOS opens the menu instead).
  tray.on('click', () => options.show())
  return {
    setUnread: (unread) => tray.setToolTip(trayTooltip(unread)),
    destroy: () => tray.destroy(),
  }
}
