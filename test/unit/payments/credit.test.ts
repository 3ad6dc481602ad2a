import assert from 'node:assert/strict';
import { assessCredit, INITIAL_CREDIT, validateCreditWindow, type CreditState, type CreditWindow } from '../../../lib/payments/credit';

const window: CreditWindow = { creditWh: 100, creditMsat: 10_000, warnPct: 50, restorePct: 20, graceMs: 5000 };

describe('payments: the credit window with hysteresis', () => {
  it('warns once, cuts off after the grace time, restores only at the lower level', () => {
    let state: CreditState = INITIAL_CREDIT;
    const events: string[] = [];
    const step = (unpaidWh: number, unpaidMsat: number, nowMs: number) => {
      const a = assessCredit(window, state, { unpaidWh, unpaidMsat }, nowMs);
      state = a.state;
      if (a.event) events.push(`${nowMs}:${a.event}`);
      return a;
    };
    step(10, 1000, 0);
    step(60, 1000, 1000); // warning by Wh
    step(70, 1000, 2000);
    assert.equal(step(101, 1000, 3000).recheckAtMs, 8000); // over: the grace time starts
    step(150, 20_000, 7999);
    step(150, 20_000, 8000); // cut off
    step(40, 4000, 9000); // below the window, above restore: stays cut off
    step(21, 1000, 10_000);
    step(20, 2000, 11_000); // restore: both at or below 20%
    step(30, 1000, 12_000); // above restore, below warning: nothing
    assert.deepEqual(events, ['1000:warning', '8000:cutoff', '11000:restore']);
  });

  it('a dip below the window during the grace time starts it again', () => {
    let state: CreditState = INITIAL_CREDIT;
    state = assessCredit(window, state, { unpaidWh: 0, unpaidMsat: 10_001 }, 0).state;
    state = assessCredit(window, state, { unpaidWh: 0, unpaidMsat: 9_000 }, 4000).state;
    const again = assessCredit(window, state, { unpaidWh: 0, unpaidMsat: 10_001 }, 6000);
    assert.equal(again.event, undefined);
    assert.equal(again.recheckAtMs, 11_000);
  });

  it('refuses levels out of order', () => {
    assert.throws(() => validateCreditWindow({ ...window, restorePct: 60 }), { code: 'SETTINGS' });
    assert.throws(() => validateCreditWindow({ ...window, creditWh: -1 }), { code: 'SETTINGS' });
  });
});
