// Mocha root setup: node-red-node-test-helper runs every node test on the real node-red runtime.
import helper from 'node-red-node-test-helper';

helper.init(require.resolve('node-red'));
