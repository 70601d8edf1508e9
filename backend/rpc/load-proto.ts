// Loads the .proto contracts of this folder with @grpc/proto-loader (no generated code).
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const here = fileURLToPath(new URL('.', import.meta.url));

export const PROTO_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

let instanceLoaded: { service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } | undefined;

// Loaded once per process: protobufjs generates each message type's codec on first use, and a
// fresh load per client would pay that again for every instance the manager talks to.
/** The `Instance` service definition and its client constructor. */
export function instanceService(): { service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } {
  return (instanceLoaded ??= loadInstance());
}

function loadInstance(): { service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } {
  const def = protoLoader.loadSync(`${here}instance.proto`, PROTO_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def) as unknown as { fleetlab: { instance: { Instance: grpc.ServiceClientConstructor } } };
  const Client = pkg.fleetlab.instance.Instance;
  return { service: Client.service, Client };
}
