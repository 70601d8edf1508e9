/**
 * `fleetlab serve [--config fleet.yaml] [--host 127.0.0.1] [--port 8000]`: starts the real
 * fleet on this machine (instance processes of the model, the manager running policies/) and
 * the OpenAI-compatible API in front of it. Without a config: 2 CPU instances of the tiny model.
 */
import type { Command } from '@commander-js/extra-typings';
import { port, positive } from './arg-parsers.ts';
import { listenOrStop } from './listen-api.ts';
import { warnIgnoredFieldsOnce } from './ignored-fields-warning.ts';
import { createApiServer, StaticEngineRouter } from '../backend/api/index.ts';
import { Fleet } from '../backend/manager/fleet.ts';
import { fleetOptions, parseFleetConfig, readFleetConfig } from '../backend/manager/fleet-config.ts';
import { stopOnSignals } from './stop-on-signals.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve a real fleet behind an OpenAI-compatible API (default: 2 CPU instances of the tiny model on 127.0.0.1:8000)')
    .option('-c, --config <file>', 'fleet config (YAML/JSON): model, instances, engine, scheduler (scaling too), nodes, external servers')
    .option('--model <dir>', 'model folder or tiny preset (overrides the config)')
    .option('--instances <n>', 'instance processes (overrides the config)', positive)
    .option('--host <host>', 'address the API binds', '127.0.0.1')
    .option('--port <port>', 'port the API listens on (0: any free port)', port, 8000)
    .option('--api-key <key>', 'require `Authorization: Bearer <key>` on /v1 (like vLLM)')
    .option('--serverless <nodes>', 'ServerlessLLM mode: NODES[xSLOTS] local nodes, or a nodes file (.yaml/.json: nodes: [{address, gpus}] of node agents); models deployed with `fleetlab deploy`')
    .action(async (opts) => {
      if (opts.serverless !== undefined) return (await import('./serverless-serve.ts')).serveServerless(opts.serverless, opts);
      const config = opts.config === undefined ? parseFleetConfig({}) : readFleetConfig(opts.config);
      const options = fleetOptions({
        ...config,
        ...(opts.model !== undefined ? { model: opts.model } : {}),
        ...(opts.instances !== undefined ? { instances: opts.instances } : {}),
      });
      console.error(`fleetlab serve: starting ${options.instances} instance(s) of ${options.engine.model} …`);
      const fleet = await Fleet.start(options);
      const api = createApiServer({ router: new StaticEngineRouter([fleet]), api_key: opts.apiKey, onIgnoredFields: warnIgnoredFieldsOnce() });
      fleet.onMigration((m) => {
        if (m.outcome !== 'no-request') api.metrics.migration(fleet.model_name, m.outcome, m.outcome === 'committed' ? m.downtime_ms / 1e3 : undefined);
      });
      fleet.scaling?.onEvent((e) => console.error(`fleetlab serve: ${e.at_s.toFixed(1)} s ${e.kind}${e.instance === undefined ? '' : ` instance ${e.instance}`}${e.detail === undefined ? '' : ` (${e.detail})`}`));
      const url = await listenOrStop(api, { host: opts.host, port: opts.port }, () => fleet.stop());
      console.error(`fleetlab serve: instances pid ${fleet.pids.join(', ')}; API on ${url} (model "${fleet.model_name}"); Ctrl-C stops`);
      // Machine-readable for scripts and tests that start `serve` on port 0.
      console.log(JSON.stringify({ ready: true, url, model: fleet.model_name, pids: fleet.pids }));
      stopOnSignals(api, fleet);
    });
}
