/** XML namespaces of the XEPs the core speaks. */
export const NS = {
  roster: 'jabber:iq:roster',
  carbons: 'urn:xmpp:carbons:2',
  forward: 'urn:xmpp:forward:0',
  mam: 'urn:xmpp:mam:2',
  rsm: 'http://jabber.org/protocol/rsm',
  dataForms: 'jabber:x:data',
  receipts: 'urn:xmpp:receipts',
  stanzaId: 'urn:xmpp:sid:0',
  delay: 'urn:xmpp:delay',
  hints: 'urn:xmpp:hints',
  streamManagement: 'urn:xmpp:sm:3',
} as const
