// bench:serve section 2's HTTP client as a process of its own (forked with an IPC channel): the
// parent sends a round to run, this answers with the tokens received or the error. Keeping the
// client out of the bench's process leaves the API and the manager alone in it, so that the
// process's CPU time is theirs.
import { streamRound } from './serve-streams.ts';

export interface ClientRound {
  url: string;
  model: string;
  streams: number;
  input_len: number;
  max_tokens: number;
}
export type ClientReply = { tokens: number } | { error: string };

process.on('message', (round: ClientRound) => {
  streamRound(round.url, round.model, round.streams, round.input_len, round.max_tokens).then(
    (tokens) => process.send!({ tokens } satisfies ClientReply),
    (err: unknown) => process.send!({ error: err instanceof Error ? err.message : String(err) } satisfies ClientReply),
  );
});
process.on('disconnect', () => process.exit(0));
