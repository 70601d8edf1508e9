// ServerlessLLM's admin endpoints on the API server of a serverless fleet (reference §7.3):
// POST /register with a deploy config (what `sllm-cli deploy` / `fleetlab deploy` send) and
// POST /delete {model} (`sllm-cli delete` / `fleetlab delete`). `/v1/models` lists what is
// deployed. A bad config is a 400 whose message names the field, the value and what was expected.
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../../config/index.ts';
import { parseDeployConfig } from '../../config/serverless-deploy.ts';
import { ApiError } from '../api/errors.ts';
import { ServerlessError, type ServerlessFleet } from './manager.ts';

export function registerAdminRoutes(app: FastifyInstance, fleet: ServerlessFleet): void {
  app.post('/register', async (request) => {
    let config;
    try {
      config = parseDeployConfig(request.body, 'deploy config');
    } catch (err) {
      if (err instanceof ConfigError) throw new ApiError('invalid_request_error', err.message, { param: err.option, code: 'invalid_deploy_config' });
      throw err;
    }
    try {
      await fleet.deploy(config);
    } catch (err) {
      if (err instanceof ServerlessError || err instanceof ConfigError) throw new ApiError('invalid_request_error', err.message, { code: 'deploy_failed' });
      throw err;
    }
    return { model: config.model, deployed: true };
  });
  app.post('/delete', async (request) => {
    const body = request.body as { model?: unknown } | undefined;
    const model = body?.model;
    if (typeof model !== 'string' || model === '') {
      throw new ApiError('invalid_request_error', `Expected model to be a non-empty string, received ${JSON.stringify(model)}`, { param: 'model', code: 'invalid_request' });
    }
    try {
      await fleet.delete(model);
    } catch (err) {
      if (err instanceof ServerlessError) throw new ApiError('not_found_error', err.message, { param: 'model', code: 'model_not_found' });
      throw err;
    }
    return { model, deleted: true };
  });
}
