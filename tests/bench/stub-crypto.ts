import { setWebCrypto } from '@privacyresearch/libsignal-protocol-typescript'
import { installFastPrimitives } from '../../main/core/omemo/crypto/index.ts'

/**
 * libsignal with its symmetric crypto stubbed out (constant outputs, no work), for the "ceiling" column: how fast
 * SessionCipher.encrypt can possibly get with ANY primitives, i.e. the cost of libsignal's own bookkeeping
 * (session-record JSON round trip, protobuf, promise chains). Produces garbage ciphertexts; encrypt only.
 */
const stubWebCrypto = {
  getRandomValues: <T extends ArrayBufferView>(array: T): T => array,
  subtle: {
    importKey: async () => ({}),
    sign: async () => new ArrayBuffer(32),
    encrypt: async (_algorithm: unknown, _key: unknown, data: ArrayBuffer) => new ArrayBuffer((Math.floor(data.byteLength / 16) + 1) * 16),
    decrypt: async () => new ArrayBuffer(32),
    digest: async () => new ArrayBuffer(64),
  },
}

export function installStubbedSymmetricCrypto(): void {
  installFastPrimitives() // curve stays real (unused by a steady-state encrypt)
  setWebCrypto(stubWebCrypto as unknown as Crypto)
}
