import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startWebMode, type WebMode } from './web-mode.ts'
import { connect, makeSandbox, type Sandbox } from './test-support.ts'

let sandbox: Sandbox | undefined
let web: WebMode | undefined

afterEach(async () => {
  await web?.close()
  web = undefined
  sandbox?.cleanup()
  sandbox = undefined
})

describe('startWebMode', () => {
  it('starts locked with a passphrase key, unlocks over the bridge and pushes app:changed', async () => {
    sandbox = makeSandbox()
    web = await startWebMode({ dataDir: sandbox.dataDir, staticDir: sandbox.staticDir })
    expect(web.url).toBe(`http://127.0.0.1:${web.port}/?token=${web.token}`)
    const client = await connect(web.port, web.token)
    expect(await client.call('app:state', {})).toEqual({
      ok: true,
      result: { phase: 'locked', databaseExists: false, keyProtection: 'passphrase' },
    })
    expect(await client.call('accounts:list', {})).toMatchObject({ ok: false, error: { code: 'locked' } })
    expect(await client.call('app:unlock', { passphrase: 'correct horse battery' })).toMatchObject({
      ok: true,
      result: { phase: 'ready', databaseExists: true },
    })
    const changed = await client.waitForEvent((envelope) => envelope.event === 'app:changed')
    expect(changed.payload).toMatchObject({ phase: 'ready' })
    expect(await client.call('accounts:list', {})).toEqual({ ok: true, result: [] })
    await web.close()
    expect((await client.closed).code).toBe(1001)
  })

  it('reopens the same data dir only with the same passphrase', async () => {
    sandbox = makeSandbox()
    const first = await startWebMode({ dataDir: sandbox.dataDir, staticDir: sandbox.staticDir })
    const client = await connect(first.port, first.token)
    expect((await client.call('app:unlock', { passphrase: 'correct horse battery' })).ok).toBe(true)
    await first.close()

    web = await startWebMode({ dataDir: sandbox.dataDir, staticDir: sandbox.staticDir })
    const again = await connect(web.port, web.token)
    expect(await again.call('app:state', {})).toMatchObject({ ok: true, result: { phase: 'locked', databaseExists: true } })
    expect(await again.call('app:unlock', { passphrase: 'wrong horse battery' })).toMatchObject({ ok: false, error: { code: 'wrong-passphrase' } })
    expect(await again.call('app:unlock', { passphrase: 'correct horse battery' })).toMatchObject({ ok: true, result: { phase: 'ready' } })
  })

  it('refuses to start without a built renderer', async () => {
    sandbox = makeSandbox()
    await expect(startWebMode({ dataDir: sandbox.dataDir, staticDir: join(sandbox.root, 'nope') })).rejects.toThrow(/npm run build/u)
  })

  it('refuses a CA file without a PEM certificate', async () => {
    sandbox = makeSandbox()
    const notPem = join(sandbox.root, 'ca.txt')
    writeFileSync(notPem, 'hello')
    await expect(startWebMode({ dataDir: sandbox.dataDir, staticDir: sandbox.staticDir, caFiles: [notPem] })).rejects.toThrow(/no PEM/u)
  })
})
