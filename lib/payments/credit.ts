// The payee's credit window with hysteresis (flaregrid-pay-gate). A plant engineer sets how much unpaid energy
// (Wh) and money (msat) a buyer may run up, a warning level and a restore level as shares of it, and a grace
// time. The levels, for unpaid = delivered but not paid (0 when the buyer is paid ahead):
//   at or below restore   fine; a cut-off buyer is restored here, and a warning is cleared
//   above warning         one warning, until the buyer is back at or below restore
//   above the window      cut off once it has stayed above for the grace time (an in-flight payment may land)
// A cut-off buyer is restored only at or below the restore level, below the window, so the contactor does not
// chatter around one threshold. Either dimension over its level counts; restore needs both under theirs.

import { PaymentError } from './errors';

export interface CreditWindow {
  creditWh: number;
  creditMsat: number;
  /** warning level, % of the window */
  warnPct: number;
  /** restore level, % of the window, below warnPct */
  restorePct: number;
  /** how long unpaid must stay above the window before the cut-off */
  graceMs: number;
}

export interface Exposure {
  unpaidWh: number;
  unpaidMsat: number;
}

export type CreditLevel = 'ok' | 'warning' | 'cutoff';

export interface CreditState {
  level: CreditLevel;
  /** since when unpaid has been above the window, while not cut off */
  overSinceMs?: number;
}

export type CreditEvent = 'cutoff' | 'restore' | 'warning';

export interface CreditAssessment {
  state: CreditState;
  event?: CreditEvent;
  /** when to look again although nothing else happens: the end of the grace time */
  recheckAtMs?: number;
}

export function validateCreditWindow(window: CreditWindow): CreditWindow {
  for (const name of ['creditWh', 'creditMsat', 'graceMs'] as const) {
    const value = window[name];
    if (!Number.isSafeInteger(value) || value < 0) throw new PaymentError('SETTINGS', `${name} must be a whole number of 0 or more, got ${String(value)}`);
  }
  const { warnPct, restorePct } = window;
  if (!(restorePct >= 0 && restorePct < warnPct && warnPct <= 100)) {
    throw new PaymentError('SETTINGS', `the levels must be 0 ≤ restore (${restorePct}%) < warning (${warnPct}%) ≤ 100%`);
  }
  return Object.freeze({ ...window });
}

function above(exposure: Exposure, window: CreditWindow, pct: number): boolean {
  return exposure.unpaidWh * 100 > window.creditWh * pct || exposure.unpaidMsat * 100 > window.creditMsat * pct;
}

export const INITIAL_CREDIT: CreditState = Object.freeze({ level: 'ok' });

export function assessCredit(window: CreditWindow, state: CreditState, exposure: Exposure, nowMs: number): CreditAssessment {
  const over = above(exposure, window, 100);
  const caughtUp = !above(exposure, window, window.restorePct);
  if (state.level === 'cutoff') {
    return caughtUp ? { state: { level: 'ok' }, event: 'restore' } : { state };
  }
  if (over) {
    const overSinceMs = state.overSinceMs ?? nowMs;
    if (nowMs - overSinceMs >= window.graceMs) return { state: { level: 'cutoff' }, event: 'cutoff' };
    const warning = state.level === 'ok';
    return { state: { level: 'warning', overSinceMs }, event: warning ? 'warning' : undefined, recheckAtMs: overSinceMs + window.graceMs };
  }
  if (state.level === 'ok') {
    return above(exposure, window, window.warnPct) ? { state: { level: 'warning' }, event: 'warning' } : { state: INITIAL_CREDIT };
  }
  return caughtUp ? { state: INITIAL_CREDIT } : { state: { level: 'warning' } };
}
