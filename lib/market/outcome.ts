// What the engine produces while it applies one command: trades, removals, clearings, in the order they
// happened. Market turns it into MarketEvents once the journal has the records behind it.

import type { ClearingSummary, Trade } from '../schemas';
import type { OrderRemoval } from './types';

export interface Outcome {
  trades: Trade[];
  removed: OrderRemoval[];
  clearings: ClearingSummary[];
  bookChanged: boolean;
}

export function emptyOutcome(): Outcome {
  return { trades: [], removed: [], clearings: [], bookChanged: false };
}
