import { describe, expect, it } from 'vitest'
import { PendingUris, protocolClientArgs, uriFromArgv } from './uri-handler.ts'

describe('uriFromArgv', () => {
  it.each<[string, unknown[], string | null]>([
    ['packaged Windows launch', ['C:\\Program Files\\Ciphermoon\\Ciphermoon.exe', '--', 'xmpp:alice@example.org'], 'xmpp:alice@example.org'],
    ['Linux launch', ['/opt/Ciphermoon/ciphermoon', 'xmpp:alice@example.org?message'], 'xmpp:alice@example.org?message'],
    ['development launch', ['/usr/bin/electron', '/work/app', 'xmpp:room@conf.example.org?join'], 'xmpp:room@conf.example.org?join'],
    ['upper-case scheme', ['app', 'XMPP:alice@example.org'], 'XMPP:alice@example.org'],
    ['after Chromium switches', ['app', '--allow-file-access-from-files', '--original-process-start-time=1', 'xmpp:a@b.org'], 'xmpp:a@b.org'],
    ['the first of several', ['app', 'xmpp:first@example.org', 'xmpp:second@example.org'], 'xmpp:first@example.org'],
    ['no link', ['app', '--flag', 'file.txt'], null],
    ['only the executable', ['xmpp:weird-executable-name'], null],
    ['empty argv', [], null],
    ['a switch that mentions a link', ['app', '--url=xmpp:alice@example.org'], null],
    ['another scheme', ['app', 'https://example.org', 'javascript:alert(1)'], null],
    ['over-long', ['app', `xmpp:a@b.org?message;body=${'x'.repeat(5000)}`], null],
    ['not strings', ['app', 42, null, { toString: () => 'xmpp:a@b.org' }], null],
  ])('%s', (_label, argv, expected) => {
    expect(uriFromArgv(argv)).toBe(expected)
  })

  it('leaves validation to the core (it only picks the argument)', () => {
    expect(uriFromArgv(['app', 'xmpp://alice:pw@example.org'])).toBe('xmpp://alice:pw@example.org')
  })
})

describe('protocolClientArgs', () => {
  it('needs nothing for a packaged app', () => {
    expect(protocolClientArgs({ defaultApp: false, execPath: '/opt/app', argv: ['/opt/app'] })).toEqual({})
  })

  it('passes the app path in a development run', () => {
    expect(protocolClientArgs({ defaultApp: true, execPath: '/usr/bin/electron', argv: ['/usr/bin/electron', '/work/app'] })).toEqual({
      execPath: '/usr/bin/electron',
      args: ['/work/app'],
    })
  })
})

describe('PendingUris', () => {
  it('holds links until ready, then delivers them in order', () => {
    const delivered: string[] = []
    const pending = new PendingUris((uri) => delivered.push(uri))
    pending.push('xmpp:a@b.org')
    pending.push('xmpp:c@d.org')
    expect(delivered).toEqual([])
    pending.setReady(true)
    expect(delivered).toEqual(['xmpp:a@b.org', 'xmpp:c@d.org'])
    pending.push('xmpp:e@f.org')
    expect(delivered).toEqual(['xmpp:a@b.org', 'xmpp:c@d.org', 'xmpp:e@f.org'])
    expect(pending.pending).toBe(0)
  })

  it('holds again while the window is gone', () => {
    const delivered: string[] = []
    const pending = new PendingUris((uri) => delivered.push(uri))
    pending.setReady(true)
    pending.setReady(false)
    pending.push('xmpp:a@b.org')
    expect(delivered).toEqual([])
    pending.setReady(true)
    expect(delivered).toEqual(['xmpp:a@b.org'])
  })

  it('keeps only the newest few while waiting', () => {
    const delivered: string[] = []
    const pending = new PendingUris((uri) => delivered.push(uri))
    for (let i = 0; i < 20; i++) pending.push(`xmpp:u${i}@b.org`)
    expect(pending.pending).toBe(8)
    pending.setReady(true)
    expect(delivered[0]).toBe('xmpp:u12@b.org')
    expect(delivered).toHaveLength(8)
  })
})
