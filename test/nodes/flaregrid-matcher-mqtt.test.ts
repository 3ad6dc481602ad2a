// The matcher on the real runtime over a real broker: Aedes in this process (test/support/market-mqtt.ts).
import { tradeOverBroker } from '../support/market-mqtt';
import { startTestBroker, type TestBroker } from '../support/mqtt';

describe('flaregrid-matcher over MQTT (Aedes, core mqtt nodes, mqtt.js participants)', function () {
  this.timeout(30000);
  let broker: TestBroker;

  beforeEach(async () => (broker = await startTestBroker()));
  afterEach(() => broker.stop());

  it('trades signed orders and publishes Trades, per-participant Rejects and the retained book', () => tradeOverBroker(broker));
});
