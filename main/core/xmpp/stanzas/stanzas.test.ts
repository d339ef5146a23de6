import xml from '@xmpp/xml'
import { describe, expect, it } from 'vitest'
import { unwrapCarbon } from './carbons.ts'
import { mamQuery, parseMamFin, parseMamResult } from './mam.ts'
import { NS } from './namespaces.ts'
import { originId, trustedStanzaId } from './stanza-id.ts'

const OWN = 'alice@example.org'
const inner = (from: string, to: string) => xml('message', { from, to, type: 'chat', id: 'm1' }, xml('body', {}, 'hi'))
const carbon = (outerFrom: string | undefined, kind: 'sent' | 'received') =>
  xml('message', { from: outerFrom, to: `${OWN}/desk` }, xml(kind, { xmlns: NS.carbons }, xml('forwarded', { xmlns: NS.forward }, inner('bob@example.org/phone', OWN))))

describe('XEP-0280 carbons', () => {
  it('unwraps a carbon from our own bare JID', () => {
    const result = unwrapCarbon(carbon(OWN, 'received'), OWN)
    expect(result.kind).toBe('received')
    const sent = unwrapCarbon(carbon(OWN, 'sent'), OWN)
    expect(sent.kind === 'sent' && sent.message.getChildText('body')).toBe('hi')
  })

  it.each([['bob@example.org'], ['bob@example.org/phone'], [`${OWN}/other`], ['example.org'], [undefined]])(
    'treats a carbon whose outer from is %s as forged (CVE-2017-5589)',
    (from) => {
      expect(unwrapCarbon(carbon(from, 'sent'), OWN).kind).toBe('forged')
    },
  )

  it('reports a wrapper without a forwarded message as malformed, and plain messages as none', () => {
    expect(unwrapCarbon(xml('message', { from: OWN }, xml('sent', { xmlns: NS.carbons })), OWN).kind).toBe('malformed')
    expect(unwrapCarbon(inner('bob@example.org', OWN), OWN).kind).toBe('none')
  })
})

describe('XEP-0359 ids', () => {
  it('trusts a stanza-id only when set by our own archive', () => {
    const message = xml(
      'message',
      {},
      xml('stanza-id', { xmlns: NS.stanzaId, by: 'mallory@example.org', id: 'fake' }),
      xml('stanza-id', { xmlns: NS.stanzaId, by: OWN, id: 'real' }),
      xml('origin-id', { xmlns: NS.stanzaId, id: 'origin' }),
    )
    expect(trustedStanzaId(message, OWN)).toBe('real')
    expect(trustedStanzaId(message, 'someone@else')).toBeNull()
    expect(originId(message)).toBe('origin')
  })
})

describe('XEP-0313 archive results', () => {
  const result = (from: string | undefined, queryid: string) =>
    xml(
      'message',
      { from, to: `${OWN}/desk` },
      xml(
        'result',
        { xmlns: NS.mam, queryid, id: 'A1' },
        xml('forwarded', { xmlns: NS.forward }, xml('delay', { xmlns: NS.delay, stamp: '2026-01-02T03:04:05Z' }), inner('bob@example.org/x', OWN)),
      ),
    )

  it('accepts results of our query from our own archive, with the archive time', () => {
    expect(parseMamResult(result(undefined, 'q1'), 'q1', OWN)).toMatchObject({ archiveId: 'A1', timestamp: Date.UTC(2026, 0, 2, 3, 4, 5) })
    expect(parseMamResult(result(OWN, 'q1'), 'q1', OWN)).not.toBeNull()
  })

  it('rejects results injected by someone else or for another query (CVE-2019-16235 class)', () => {
    expect(parseMamResult(result('bob@example.org', 'q1'), 'q1', OWN)).toBeNull()
    expect(parseMamResult(result(undefined, 'other'), 'q1', OWN)).toBeNull()
  })

  it('builds paged queries and reads <fin/>', () => {
    expect(mamQuery('q', { after: 'A9' }, 100).toString()).toContain('<after>A9</after>')
    expect(mamQuery('q', { lastPage: true }, 50).toString()).toContain('<before/>')
    const since = mamQuery('q', { since: Date.UTC(2026, 0, 2) }, 100).toString()
    expect(since).toContain('<field var="start"><value>2026-01-02T00:00:00.000Z</value></field>')
    expect(since).not.toContain('<before/>')
    const fin = xml('iq', { type: 'result' }, xml('fin', { xmlns: NS.mam, complete: 'true' }, xml('set', { xmlns: NS.rsm }, xml('last', {}, 'Z'))))
    expect(parseMamFin(fin)).toEqual({ complete: true, last: 'Z' })
    expect(() => parseMamFin(xml('iq'))).toThrow(/fin/u)
  })
})
