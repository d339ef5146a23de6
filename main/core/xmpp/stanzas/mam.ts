import xml, { type Element } from '@xmpp/xml'
import { delayStamp } from './delay.ts'
import { NS } from './namespaces.ts'

/** Page after an archive id; messages since a time (XEP-0313 §4.1.1 start filter); or the latest page. */
export type MamPage = { after: string } | { since: number } | { lastPage: true }

/** XEP-0313 §4: a query of our own archive, paged with XEP-0059 RSM. */
export function mamQuery(queryId: string, page: MamPage, max: number): Element {
  const set = xml('set', { xmlns: NS.rsm }, xml('max', {}, String(max)))
  if ('after' in page) set.append(xml('after', {}, page.after))
  else if ('lastPage' in page) set.append(xml('before')) // RSM §2.5: an empty <before/> asks for the last page
  const fields = [xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, NS.mam))]
  if ('since' in page) fields.push(xml('field', { var: 'start' }, xml('value', {}, new Date(page.since).toISOString())))
  return xml(
    'iq',
    { type: 'set' },
    xml(
      'query',
      { xmlns: NS.mam, queryid: queryId },
      xml('x', { xmlns: NS.dataForms, type: 'submit' }, ...fields),
      set,
    ),
  )
}

export interface MamResult {
  /** The archive's id of the message (= its XEP-0359 stanza-id in our archive). */
  archiveId: string
  timestamp: number | null
  message: Element
}

/**
 * XEP-0313 §4.1.2 / §6 (Security): a result is accepted only for our query id and only if it comes
 * from our own archive, i.e. the wrapper has no `from` or our own bare JID (CVE-2019-16235 class).
 */
export function parseMamResult(message: Element, queryId: string, ownBareJid: string): MamResult | null {
  const result = message.getChild('result', NS.mam)
  if (!result || result.attrs.queryid !== queryId || !result.attrs.id) return null
  const from = message.attrs.from
  if (from !== undefined && from.toLowerCase() !== ownBareJid) return null
  const forwarded = result.getChild('forwarded', NS.forward)
  const inner = forwarded?.getChild('message')
  if (!forwarded || !inner) return null
  return { archiveId: result.attrs.id, timestamp: delayStamp(forwarded), message: inner }
}

export function isMamResult(message: Element): boolean {
  return message.getChild('result', NS.mam) !== undefined
}

export interface MamFin {
  complete: boolean
  last: string | null
}

/** XEP-0313 §4.3: the <fin/> in the IQ result ends a page. */
export function parseMamFin(iqResult: Element | undefined): MamFin {
  const fin = iqResult?.getChild('fin', NS.mam)
  if (!fin) throw new Error('The archive answered without <fin/>')
  return { complete: fin.attrs.complete === 'true', last: fin.getChild('set', NS.rsm)?.getChildText('last') ?? null }
}
