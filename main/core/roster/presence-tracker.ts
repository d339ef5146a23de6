import { bestPresence, type PresenceState } from '../xmpp/stanzas/presence.ts'

/** Live presence of contacts, per resource. Not stored: it is only true while we are online. */
export class PresenceTracker {
  readonly #byContact = new Map<string, Map<string, PresenceState>>()

  set(contact: string, resource: string, state: PresenceState): void {
    let resources = this.#byContact.get(contact)
    if (!resources) this.#byContact.set(contact, (resources = new Map()))
    resources.set(resource, state)
  }

  remove(contact: string, resource: string): void {
    const resources = this.#byContact.get(contact)
    if (!resources) return
    // RFC 6121 §4.5.3: unavailable from the bare JID means all resources went offline.
    if (resource === '') resources.clear()
    else resources.delete(resource)
    if (resources.size === 0) this.#byContact.delete(contact)
  }

  of(contact: string): PresenceState {
    return bestPresence(this.#byContact.get(contact)?.values() ?? [])
  }

  /** Forget everything (we went offline); returns the contacts that were online. */
  clear(): string[] {
    const contacts = [...this.#byContact.keys()]
    this.#byContact.clear()
    return contacts
  }
}
