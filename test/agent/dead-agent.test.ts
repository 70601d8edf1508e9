// A node agent killed mid-stream (SIGKILL to its process group: the agent and its instance):
// the manager notices the missed heartbeats, its instance leaves the ClusterView, and its
// requests resume on the other node from their tokens; every client gets its complete answer.
import test from 'ava';
import { agentTestFolders, nodeFailure } from './helpers.ts';

agentTestFolders('dead-agent');

test('an agent killed mid-stream: its instance leaves the view and every answer completes on the other node', (t) => nodeFailure(t, 'SIGKILL', 'killed'));
