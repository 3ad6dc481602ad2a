// A hold-off timer for "this condition has held for D seconds". In decay mode a cycle against the condition runs
// the timer back by that cycle's time instead of clearing it (EVCC PR #28482): one noisy sample in a minute of
// surplus costs one sample, not the whole minute. Reset mode is EVCC's classic behaviour. A cycle inside the dead
// band neither counts for nor against: tracking the surplus within the hysteresis does not re-arm the delay.
import type { TimerMode } from './params';

/** for: the condition holds; hold: inside the dead band; against: the opposite holds */
export type TimerInput = 'for' | 'hold' | 'against';

export class DecayingTimer {
  private heldMs = 0;

  /** Time the condition has been counted as holding, ms (0 … delay). */
  get elapsedMs(): number {
    return this.heldMs;
  }

  /**
   * Counts `dtMs` for or against the condition and says whether it has now held for `delayMs`. A delay of 0
   * fires on the first cycle with the condition.
   */
  update(input: TimerInput, dtMs: number, delayMs: number, mode: TimerMode): boolean {
    if (input === 'for') this.heldMs = this.heldMs + dtMs;
    else if (input === 'against') this.heldMs = mode === 'reset' ? 0 : Math.max(0, this.heldMs - dtMs);
    this.heldMs = Math.min(delayMs, this.heldMs);
    return input === 'for' && this.heldMs >= delayMs;
  }

  clear(): void {
    this.heldMs = 0;
  }
}
