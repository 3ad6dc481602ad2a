// The MQTT topics of this Node-RED instance (lib/topics.ts), with the prefix from settings.flaregrid.topicPrefix.
import { Topics } from '../../lib/topics';
import { flaregridSettings } from './clock';
import type { NodeRedAPI } from './red';

const bySettings = new WeakMap<object, Topics>();

export function topicsOf(RED: NodeRedAPI): Topics {
  const settings = flaregridSettings(RED);
  let topics = bySettings.get(settings);
  if (!topics) {
    topics = new Topics(settings.topicPrefix);
    bySettings.set(settings, topics);
  }
  return topics;
}
