// A node agent frozen mid-stream (SIGSTOP to its process group): nothing breaks its TCP
// connections, so only the missed heartbeats tell the manager; its instance leaves the view, the
// streams still open to it are broken, and the requests resume on the other node.
import test from 'ava';
import { agentTestFolders, nodeFailure } from './helpers.ts';

agentTestFolders('frozen-agent');

test('an agent frozen mid-stream: missed heartbeats take it out of the view and every answer completes on the other node', (t) => nodeFailure(t, 'SIGSTOP', 'frozen'));
