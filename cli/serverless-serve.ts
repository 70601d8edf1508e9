/**
 * `fleetlab serve --serverless N[xG]`: a serverless fleet (ServerlessLLM on the real backend)
 * of N nodes with G instance slots each (default 1), no model deployed; models come and go with
 * `fleetlab deploy` / `fleetlab delete` (POST /register, /delete) and are served on demand.
 * `--serverless nodes.yaml` (a .yaml/.yml/.json file): the nodes are node agents
 * (`nodes: [{address, gpus}]`, backend/serverless/serverless-config.ts); without it they are
 * local processes.
 */
import { createApiServer } from '../backend/api/index.ts';
import { registerAdminRoutes } from '../backend/serverless/admin-routes.ts';
import { ServerlessFleet, type ServerlessFleetOptions } from '../backend/serverless/manager.ts';
import { readServerlessNodesConfig, serverlessNodesOptions } from '../backend/serverless/serverless-config.ts';
import { listenOrStop } from './listen-api.ts';
import { warnIgnoredFieldsOnce } from './ignored-fields-warning.ts';
import { stopOnSignals } from './stop-on-signals.ts';

/** "2" or "2x4" → nodes and slots per node. */
export function parseNodes(text: string): { nodes: number; gpus: number } {
  const m = /^(\d+)(?:x(\d+))?$/.exec(text);
  const nodes = Number(m?.[1]);
  const gpus = Number(m?.[2] ?? 1);
  if (m === null || nodes < 1 || gpus < 1) throw new Error(`--serverless ${JSON.stringify(text)}: expected NODES or NODESxSLOTS, e.g. 2 or 2x1`);
  return { nodes, gpus };
}

/** The fleet's nodes: local ones from "N[xG]", or node agents from a nodes config file. */
function nodesOf(spec: string): Pick<ServerlessFleetOptions, 'nodes' | 'heartbeat'> {
  if (/\.(ya?ml|json)$/.test(spec)) return serverlessNodesOptions(readServerlessNodesConfig(spec));
  const { nodes, gpus } = parseNodes(spec);
  return { nodes: Array.from({ length: nodes }, (_, id) => ({ id, gpus })) };
}

export async function serveServerless(spec: string, opts: { host: string; port: number; apiKey?: string | undefined }): Promise<void> {
  const fleet = new ServerlessFleet({ ...nodesOf(spec), log: (line) => console.error(line) });
  await fleet.connect().catch(async (err: unknown) => {
    await fleet.stop();
    throw err;
  });
  const nodes = fleet.nodes.length;
  const gpus = fleet.nodes.map((n) => n.owner.length).join('/');
  const api = createApiServer({ router: fleet, api_key: opts.apiKey, onIgnoredFields: warnIgnoredFieldsOnce() });
  registerAdminRoutes(api.app, fleet);
  const url = await listenOrStop(api, { host: opts.host, port: opts.port }, () => fleet.stop());
  console.error(`fleetlab serve: serverless fleet of ${nodes} node(s) × ${gpus} slot(s)${fleet.nodes[0]?.agent !== undefined ? ` on agents ${fleet.nodes.map((n) => n.agent?.address).join(', ')}` : ''}; API on ${url}; deploy with \`fleetlab deploy --config config.json --url ${url}\`; Ctrl-C stops`);
  console.log(JSON.stringify({ ready: true, url, serverless: true }));
  stopOnSignals(api, fleet);
}
