import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import { applicationMenuTemplate } from './menu.ts'

const roles = (item: MenuItemConstructorOptions | undefined) =>
  (item?.submenu as MenuItemConstructorOptions[]).map((entry) => entry.role ?? entry.type)

describe('applicationMenuTemplate', () => {
  it('macOS: the app menu first, then Edit, View, Window (with front)', () => {
    const template = applicationMenuTemplate({ platform: 'darwin', isDev: false, appName: 'Ciphermoon' })
    expect(template.map((item) => item.label ?? item.role)).toEqual(['Ciphermoon', 'Edit', 'View', 'windowMenu'])
    expect(roles(template[0])).toEqual(['about', 'separator', 'services', 'separator', 'hide', 'hideOthers', 'unhide', 'separator', 'quit'])
    expect(roles(template[1])).toEqual(['undo', 'redo', 'separator', 'cut', 'copy', 'paste', 'selectAll'])
    expect(roles(template[2])).toEqual(['resetZoom', 'zoomIn', 'zoomOut', 'separator', 'togglefullscreen'])
    expect(roles(template[3])).toEqual(['minimize', 'close', 'separator', 'front'])
  })

  it('Windows and Linux: a File menu with Quit on Ctrl+Q, no app menu, no front', () => {
    for (const platform of ['win32', 'linux'] as const) {
      const template = applicationMenuTemplate({ platform, isDev: false, appName: 'Ciphermoon' })
      expect(template.map((item) => item.label ?? item.role)).toEqual(['&File', '&Edit', '&View', 'windowMenu'])
      expect(template[0]!.submenu).toEqual([{ role: 'quit', accelerator: 'Ctrl+Q' }])
      expect(roles(template[3])).toEqual(['minimize', 'close'])
      expect(JSON.stringify(template)).not.toMatch(/"(about|services|hide|front)"/u)
    }
  })

  it('reload and the developer tools only in development', () => {
    const dev = applicationMenuTemplate({ platform: 'linux', isDev: true, appName: 'Ciphermoon' })
    expect(roles(dev[2])).toEqual(['reload', 'toggleDevTools', 'separator', 'resetZoom', 'zoomIn', 'zoomOut', 'separator', 'togglefullscreen'])
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const text = JSON.stringify(applicationMenuTemplate({ platform, isDev: false, appName: 'Ciphermoon' }))
      expect(text).not.toContain('reload')
      expect(text).not.toContain('toggleDevTools')
    }
  })
})
