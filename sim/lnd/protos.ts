// LND's own .proto files, as the `lightning` package (ln-service's engine) ships them, loaded with the options
// that package uses for its client, so the simulator and every ln-service client agree on every field.
import { dirname, join } from 'node:path';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const PROTO_DIR = join(dirname(require.resolve('lightning/package.json')), 'grpc', 'protos');

/** keepCase, longs and enums as strings, defaults, oneofs: lightning/lnd_grpc/grpc_options.js */
const LND_PROTO_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true } as const;

export interface LndServices {
  lightning: ServiceDefinition;
  router: ServiceDefinition;
  invoices: ServiceDefinition;
  state: ServiceDefinition;
}

let loaded: LndServices | undefined;

/** The four services the simulator serves; loaded once per process (parsing the protos takes ~100 ms). */
export function lndServices(): LndServices {
  if (loaded) return loaded;
  const files = ['lightning.proto', 'router.proto', 'invoices.proto', 'stateservice.proto'].map((f) => join(PROTO_DIR, f));
  const definition = loadSync(files, { ...LND_PROTO_OPTIONS, includeDirs: [PROTO_DIR] });
  const root = loadPackageDefinition(definition);
  const service = (pkg: string, name: string) => ((root[pkg] as GrpcObject)[name] as ServiceClientConstructor).service;
  loaded = {
    lightning: service('lnrpc', 'Lightning'),
    router: service('routerrpc', 'Router'),
    invoices: service('invoicesrpc', 'Invoices'),
    state: service('lnrpc', 'State'),
  };
  return loaded;
}
