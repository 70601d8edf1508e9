// A gRPC unary handler from an async function: its value is the reply, a thrown error becomes
// the call's FAILED_PRECONDITION with the error's message (shared by the instance and agent servers).
import * as grpc from '@grpc/grpc-js';

export type UnaryHandler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

export function unary<Req, Res>(fn: (req: Req) => Promise<Res> | Res): UnaryHandler<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then((res) => callback(null, res), (err: unknown) => callback({ code: grpc.status.FAILED_PRECONDITION, details: err instanceof Error ? err.message : String(err) }));
  };
}
