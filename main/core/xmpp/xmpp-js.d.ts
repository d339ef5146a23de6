// Minimal typings for the parts of xmpp.js (0.14, untyped ESM) that the core uses.

declare module '@xmpp/xml' {
  export class Element {
    name: string
    attrs: Record<string, string | undefined>
    children: (Element | string)[]
    parent: Element | null
    constructor(name: string, attrs?: Record<string, string | number | undefined>)
    is(name: string, xmlns?: string): boolean
    getNS(): string | undefined
    getChild(name: string, xmlns?: string): Element | undefined
    getChildren(name: string, xmlns?: string): Element[]
    getChildElements(): Element[]
    getChildText(name: string, xmlns?: string): string | null
    getChildByAttr(attr: string, value: string, xmlns?: string, recursive?: boolean): Element | undefined
    text(): string
    append(...nodes: (Element | string)[]): Element
    c(name: string, attrs?: Record<string, string | undefined>): Element
    toString(): string
    clone(): Element
  }
  type Child = Element | string | null | undefined | false | Child[]
  function xml(name: string, attrs?: Record<string, string | number | undefined> | null, ...children: Child[]): Element
  export default xml
}

declare module '@xmpp/jid' {
  export class JID {
    local: string
    domain: string
    resource: string
    bare(): JID
    toString(): string
    equals(other: JID): boolean
  }
  function jid(address: string): JID
  function jid(local: string, domain: string, resource?: string): JID
  export default jid
}

declare module '@xmpp/events' {
  import { EventEmitter } from 'node:events'
  export { EventEmitter }
  export function promise<T = unknown>(target: unknown, event: string, rejectEvent?: string, timeout?: number): Promise<T>
}

declare module '@xmpp/client-core' {
  import { EventEmitter } from 'node:events'
  import type { Element } from '@xmpp/xml'
  import type { JID } from '@xmpp/jid'
  export class Client extends EventEmitter {
    constructor(options: Record<string, unknown>)
    status: string
    jid: JID | null
    socket: { secure?: boolean } | null
    options: { domain?: string; service?: string; lang?: string }
    timeout: number
    isSecure(): boolean
    start(): Promise<JID>
    stop(): Promise<void>
    connect(service: string): Promise<void>
    open(options: { domain?: string; lang?: string }): Promise<Element>
    disconnect(timeout?: number): Promise<void>
    send(element: Element): Promise<void>
    sendMany(elements: Element[]): Promise<void>
    sendReceive(element: Element, timeout?: number): Promise<Element>
    restart(): Promise<void>
    _attachSocket(socket: unknown): void
    hook(event: string, handler: (...args: unknown[]) => unknown): void
  }
}

declare module '@xmpp/tcp' {
  export default function tcp(deps: { entity: unknown }): unknown
}
declare module '@xmpp/middleware' {
  export default function middleware(deps: { entity: unknown }): Middleware
  export interface Middleware {
    use(fn: (ctx: { stanza: import('@xmpp/xml').Element; from: import('@xmpp/jid').JID; entity: unknown }, next: () => Promise<unknown>) => unknown): void
    filter(fn: (ctx: { stanza: import('@xmpp/xml').Element }, next: () => Promise<unknown>) => unknown): void
  }
}
declare module '@xmpp/stream-features' {
  export default function streamFeatures(deps: { middleware: unknown }): StreamFeatures
  export interface StreamFeatures {
    use(
      name: string,
      xmlns: string,
      handler: (ctx: { entity: import('@xmpp/client-core').Client }, next: () => Promise<unknown>, feature: import('@xmpp/xml').Element) => unknown,
    ): void
  }
}
declare module '@xmpp/iq/caller.js' {
  import type { Element } from '@xmpp/xml'
  export interface IqCaller {
    request(stanza: Element, timeout?: number): Promise<Element>
    get(element: Element, to?: string, timeout?: number): Promise<Element | undefined>
    set(element: Element, to?: string, timeout?: number): Promise<Element | undefined>
  }
  export default function iqCaller(deps: { middleware: unknown; entity: unknown }): IqCaller
}
declare module '@xmpp/iq/callee.js' {
  import type { Element } from '@xmpp/xml'
  export interface IqCallee {
    get(ns: string, name: string, handler: (ctx: { stanza: Element; from: import('@xmpp/jid').JID }) => unknown): void
    set(ns: string, name: string, handler: (ctx: { stanza: Element; from: import('@xmpp/jid').JID }) => unknown): void
  }
  export default function iqCallee(deps: { middleware: unknown; entity: unknown }): IqCallee
}
declare module '@xmpp/reconnect' {
  import { EventEmitter } from 'node:events'
  export interface Reconnect extends EventEmitter {
    delay: number
    start(): void
    stop(): void
  }
  export default function reconnect(deps: { entity: unknown }): Reconnect
}
declare module '@xmpp/sasl' {
  export default function sasl(deps: { streamFeatures: unknown; saslFactory: unknown }, onAuthenticate: unknown): unknown
}
declare module '@xmpp/sasl2' {
  export default function sasl2(deps: { streamFeatures: unknown; saslFactory: unknown }, onAuthenticate: unknown): { setup(o: unknown): void }
}
declare module '@xmpp/client-core/src/bind2/bind2.js' {
  export default function bind2(deps: { sasl2: unknown; entity: unknown }, resource?: string): unknown
}
declare module '@xmpp/resource-binding' {
  export default function resourceBinding(deps: { iqCaller: unknown; streamFeatures: unknown }, resource?: string): unknown
}
declare module '@xmpp/stream-management' {
  import { EventEmitter } from 'node:events'
  export interface StreamManagement extends EventEmitter {
    enabled: boolean
    /** Stanzas received on this stream so far (XEP-0198 'h' for our <a/>). */
    inbound: number
    id: string
    timeout: number
    requestAckInterval: number
  }
  export default function streamManagement(deps: Record<string, unknown>): StreamManagement
}
declare module '@xmpp/sasl-scram-sha-1' {
  export default function scramsha1(factory: unknown): unknown
}
declare module '@xmpp/sasl-plain' {
  export default function plain(factory: unknown): unknown
}
declare module '@xmpp/tls/lib/Socket.js' {
  import { EventEmitter } from 'node:events'
  export default class Socket extends EventEmitter {
    secure: boolean
    _attachSocket(socket: import('node:tls').TLSSocket): void
  }
}
declare module '@xmpp/error' {
  export default class XMPPError extends Error {
    condition: string
    text?: string
    element?: import('@xmpp/xml').Element
  }
}
declare module 'saslmechanisms' {
  export default class SASLFactory {
    use(mechanism: unknown): void
  }
}
