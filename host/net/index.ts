/** The network layer: sockets for Python over a worker thread (see DESIGN.md, "Networking"). */
export { NetBridge, type BridgeStats } from './bridge.js';
export { createNetModule, type NetModule } from './host-module.js';
export { netOptionsFromEnv, checkNetOptions, type NetOptions, DEFAULT_TIMEOUT_MS } from './options.js';
export { NetPolicy } from './policy.js';
export { IndexMapping, UPIP_DEFAULT_INDEXES } from './index-mapping.js';
export { netHostModules } from './session-modules.js';
