// Loads the .proto contracts of this folder with @grpc/proto-loader (no generated code).
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const here = fileURLToPath(new URL('.', import.meta.url));

export const PROTO_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

export interface LoadedService {
  readonly service: grpc.ServiceDefinition;
  readonly Client: grpc.ServiceClientConstructor;
}

const loaded = new Map<string, LoadedService>();

/**
 * Service `name` of package `fleetlab.<pkg>` in `<pkg>.proto`. Loaded once per process:
 * protobufjs generates each message type's codec on first use, and a fresh load per client
 * would pay that again for every instance the manager talks to.
 */
function loadService(pkg: 'instance' | 'agent', name: string): LoadedService {
  const key = `${pkg}.${name}`;
  let s = loaded.get(key);
  if (s === undefined) {
    const def = protoLoader.loadSync(`${here}${pkg}.proto`, PROTO_OPTIONS);
    const fleetlab = grpc.loadPackageDefinition(def)['fleetlab'] as unknown as Record<string, Record<string, grpc.ServiceClientConstructor>>;
    const Client = fleetlab[pkg]![name]!;
    loaded.set(key, (s = { service: Client.service, Client }));
  }
  return s;
}

/** The `Instance` service definition and its client constructor. */
export const instanceService = (): LoadedService => loadService('instance', 'Instance');

/** The `Agent` service definition and its client constructor. */
export const agentService = (): LoadedService => loadService('agent', 'Agent');
