// The participants a matcher trusts: a JSON list in its dialog, a JSON file, or the payload of a message with
// topic "registry"; and, when asked, the flaregrid-participant nodes of this Node-RED that hold a key.
import { readFile } from 'node:fs/promises';
import { ParticipantRegistry } from '../../lib/market/identity';
import { participantOf } from '../shared/participant';
import type { NodeRedAPI } from '../shared/red';
import type { MatcherSettings } from './settings';

/** The participant nodes deployed here that can sign (their public key is derived from their credential). */
function localParticipants(RED: NodeRedAPI): unknown[] {
  const entries: unknown[] = [];
  RED.nodes.eachNode((definition) => {
    if (definition.type !== 'flaregrid-participant') return;
    const state = participantOf(RED, definition.id);
    const entry = state && 'handle' in state ? state.handle.registryEntry() : undefined;
    if (entry) entries.push(entry);
  });
  return entries;
}

function withLocal(RED: NodeRedAPI, settings: MatcherSettings, listed: ParticipantRegistry): ParticipantRegistry {
  if (!settings.trustLocal) return listed;
  const registry = new ParticipantRegistry(listed.list());
  for (const entry of localParticipants(RED)) registry.add(entry, 'a local participant node');
  return registry;
}

/** The registry the matcher starts with. @throws IdentityError naming the entry that is not a Participant. */
export async function initialRegistry(RED: NodeRedAPI, settings: MatcherSettings): Promise<ParticipantRegistry> {
  switch (settings.registrySource) {
    case 'config':
      return withLocal(RED, settings, ParticipantRegistry.fromJson(settings.registryJson));
    case 'file':
      return withLocal(RED, settings, ParticipantRegistry.fromJson(await readFile(settings.registryFile, 'utf8')));
    case 'msg':
      return withLocal(RED, settings, new ParticipantRegistry());
  }
}

/**
 * The registry a "registry" message gives: its payload (an array of participants, or their JSON text); without a
 * payload, the file read again (file source) or the dialog's list.
 */
export async function registryFromMessage(RED: NodeRedAPI, settings: MatcherSettings, payload: unknown): Promise<ParticipantRegistry> {
  if (payload === undefined || payload === null || payload === '') return initialRegistry(RED, settings);
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) return withLocal(RED, settings, ParticipantRegistry.fromJson(payload.toString()));
  if (!Array.isArray(payload)) throw new TypeError('a registry message needs msg.payload as an array of participants {id, publicKey, zone?, payTo?}');
  return withLocal(RED, settings, new ParticipantRegistry(payload));
}
