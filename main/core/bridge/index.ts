/** Browser mode: the loopback bridge (startBridge) and the whole web mode in-process (startWebMode). */
export { startBridge, type Bridge, type BridgeOptions } from './bridge-server.ts'
export { startWebMode, type WebMode, type WebModeOptions } from './web-mode.ts'
export { contentSecurityPolicy, type CspOptions } from './csp.ts'
