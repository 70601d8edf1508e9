// Loads agent.proto with @grpc/proto-loader (no generated code), as load-proto.ts does for instances.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_OPTIONS } from './load-proto.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

let agentLoaded: { service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } | undefined;

// Loaded once per process: protobufjs generates each message type's codec on first use, and a
// fresh load per client would pay that again for every instance the manager talks to.
/** The `Agent` service definition and its client constructor. */
export function agentService(): { service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } {
  return (agentLoaded ??= loadAgent());
}

function loadAgent(): { service: grpc.ServiceDefinition; Client: grpc.ServiceClientConstructor } {
  const def = protoLoader.loadSync(`${here}agent.proto`, PROTO_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def) as unknown as { fleetlab: { agent: { Agent: grpc.ServiceClientConstructor } } };
  const Client = pkg.fleetlab.agent.Agent;
  return { service: Client.service, Client };
}
