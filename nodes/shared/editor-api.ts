// What the edit dialogs read from the runtime rather than keep copies of: every contract enum and the meter
// profile schema (GET <admin root>/flaregrid/contracts), and each node type's config migrations, so that a dialog
// opened on a node saved by an older release shows it brought forward by the same code the runtime runs
// (POST <admin root>/flaregrid/migrate/<type> with the node's properties). Registered once per runtime.
import { EDITOR_CATALOGUE } from '../../lib/schemas';
import { asError } from './handlers';
import { migrateConfig, type Migration } from './migrate';
import type { NodeRedAPI } from './red';

const registered = new WeakMap<object, Map<string, readonly Migration[]>>();

export function registerEditorApi(RED: NodeRedAPI, type?: string, migrations?: readonly Migration[]): void {
  let byType = registered.get(RED.httpAdmin);
  if (!byType) {
    const types = new Map<string, readonly Migration[]>();
    byType = types;
    registered.set(RED.httpAdmin, types);
    RED.httpAdmin.get('/flaregrid/contracts', RED.auth.needsPermission('flaregrid.read'), (_req, res) => {
      res.json(EDITOR_CATALOGUE);
    });
    RED.httpAdmin.post('/flaregrid/migrate/:type', RED.auth.needsPermission('flaregrid.read'), (req, res) => {
      const steps = types.get(String(req.params.type));
      if (!steps) {
        res.status(404).json({ error: `no migrations for node type '${String(req.params.type)}'` });
        return;
      }
      try {
        res.json(migrateConfig(req.body ?? {}, steps));
      } catch (err) {
        res.status(400).json({ error: asError(err).message });
      }
    });
  }
  if (type && migrations) byType.set(type, migrations);
}
