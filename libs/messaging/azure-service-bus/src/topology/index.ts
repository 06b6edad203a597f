export * from './duration';
export * from './emulator-config';
export * from './namespace';
export * from './plan';
export {
  namespaceTarget,
  runTopologyCommand,
  topologyCommandUsage,
  type ConnectAdmin,
  type ConnectMarker,
  type NamespaceTarget,
} from './command';
export { connectToMarker, connectToNamespace, runTopologyTool } from './connect';
