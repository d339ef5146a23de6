import { SessionRecord } from '@privacyresearch/libsignal-protocol-typescript/lib/session-record.js'
import { SessionCipher, type SessionType } from '@privacyresearch/libsignal-protocol-typescript'

/** libsignal keeps the receiving chains of this many past DH ratchet steps (for late messages). */
const OLD_RATCHETS_MAX_LENGTH = 10

/**
 * libsignal-protocol-typescript 0.0.16 bug: SessionRecord.removeOldChains deletes `session[key]`
 * instead of `session.chains[key]` (and with a binary-string key, where chains are keyed by base64),
 * so old receiving chains and their unused message keys are never deleted. That weakens forward
 * secrecy (old message keys live on) and makes every session record, and every message, slower.
 * This replaces the method with the intended behaviour: keep the newest ten old receiving chains.
 */
export function fixLibsignalChainPruning(): void {
  const prototype = SessionRecord.prototype as unknown as { removeOldChains(session: SessionType): void; __chainPruningFixed?: true }
  if (prototype.__chainPruningFixed) return
  prototype.removeOldChains = function removeOldChains(session: SessionType): void {
    while (session.oldRatchetList.length > OLD_RATCHETS_MAX_LENGTH) {
      let index = 0
      for (let i = 1; i < session.oldRatchetList.length; i++) {
        if (session.oldRatchetList[i]!.added < session.oldRatchetList[index]!.added) index = i
      }
      const [oldest] = session.oldRatchetList.splice(index, 1)
      // Chains are keyed by the base64 of the remote ephemeral key (session-cipher.js).
      delete session.chains[Buffer.from(new Uint8Array(oldest!.ephemeralKey)).toString('base64')]
    }
  }
  prototype.__chainPruningFixed = true
}

/**
 * libsignal-protocol-typescript 0.0.16 bug: a SignalMessage is tried on each session of the record in turn (the open
 * one first, then the old ones: two devices that started sessions at the same time, or a repaired session, have
 * several), and each try works on the record's own session object. A try that fails leaves its damage in that
 * session: doDecryptWhisperMessage steps the DH ratchet with the message's key and derives message keys before it
 * checks the MAC. When an older session then decrypts the message, the whole record is stored, the damaged session
 * with it; once the contact's next message is on that session, it fails ("Bad MAC"), and it damages the other
 * session in turn: from then on no message in either direction decrypts (XEP-0384 §4.7 would repair, and the same
 * race breaks the repaired session). libsignal itself (Java, Rust) tries each session on a copy and keeps only the
 * one that decrypted; this does the same: each try runs on a copy, and only a copy that decrypted replaces its
 * session. Errors, the order of the tries and what is stored after a success stay the library's.
 */
export function fixLibsignalSessionTrials(): void {
  type Trials = {
    doDecryptWhisperMessage(messageBytes: ArrayBuffer, session: SessionType): Promise<ArrayBuffer>
    decryptWithSessionList(buffer: ArrayBuffer, sessionList: SessionType[], errors: unknown[]): Promise<{ plaintext: ArrayBuffer; session: SessionType }>
    __sessionTrialsFixed?: true
  }
  const prototype = SessionCipher.prototype as unknown as Trials
  if (prototype.__sessionTrialsFixed) return
  prototype.decryptWithSessionList = async function decryptWithSessionList(this: Trials, buffer, sessionList, errors) {
    // As the library: from the end of the list (getSessions puts the open session last), a repeated counter stops.
    for (let index = sessionList.length - 1; index >= 0; index--) {
      const session = sessionList[index]!
      const trial = structuredClone(session)
      try {
        const plaintext = await this.doDecryptWhisperMessage(buffer, trial)
        replaceContents(session, trial)
        return { plaintext, session }
      } catch (error) {
        if ((error as Error | null)?.name === 'MessageCounterError') throw error
        errors.push(error)
      }
    }
    throw errors[0]
  }
  prototype.__sessionTrialsFixed = true
}

/** Makes `target` what `source` is (also without the fields `source` lost), keeping the object the record holds. */
function replaceContents(target: SessionType, source: SessionType): void {
  const fields = target as unknown as Record<string, unknown>
  for (const key of Object.keys(fields)) if (!(key in source)) delete fields[key]
  Object.assign(target, source)
}
