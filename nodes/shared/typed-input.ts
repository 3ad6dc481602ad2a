// A TypedInput property (number, msg, flow/global context, env, JSONata...) evaluated for one message, in the
// callback form: JSONata and an asynchronous context store only answer through the callback.
import type { NodeMessage, NodeRedAPI, RuntimeNode } from './red';

export function evaluateTyped(RED: NodeRedAPI, node: RuntimeNode, value: string, type: string, msg: NodeMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(value, type, node, msg, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** How a typed property is named in an error: "msg.price", "flow.offerPrice", "env PRICE", "a JSONata expression". */
export function typedSource(value: string, type: string): string {
  switch (type) {
    case 'msg':
    case 'flow':
    case 'global':
      return `${type}.${value}`;
    case 'env':
      return `env ${value}`;
    case 'jsonata':
      return 'its JSONata expression';
    default:
      return 'the dialog';
  }
}
