// Mocha root setup: node-red-node-test-helper runs every node test on the real node-red runtime.
import helper from 'node-red-node-test-helper';

helper.init(require.resolve('node-red'));

// The runtime gives every node module RED.hooks (its message hooks); the helper's stand-in runtime leaves it out,
// so its node API is given the runtime's own hooks module here.
const registryUtil = require('@node-red/registry/lib/util') as { createNodeApi(node: unknown): { hooks?: unknown } };
const { hooks } = require('@node-red/util') as { hooks: unknown };
const createNodeApi = registryUtil.createNodeApi;
registryUtil.createNodeApi = (node) => {
  const red = createNodeApi(node);
  red.hooks ??= hooks;
  return red;
};
