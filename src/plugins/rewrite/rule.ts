/** The shape every rewrite rule has. */
import type { ResponseRule } from './response.js';

/** `stop` (default) ends the rule list when a rule matched; `continue` goes on to the next rule. */
export type Mode = 'stop' | 'continue';

/** The question as the rules rewrite it (name in presentation form, as it will be sent on). */
export interface QuestionState {
  name: string;
  type: number;
  class: number;
}

/** One rewrite line. */
export interface Rule {
  readonly mode: Mode;
  /**
   * Rewrites `q` in place when the rule matches and returns what to change in the reply
   * (possibly nothing); returns undefined when it does not match.
   */
  apply(q: QuestionState): ResponseRule[] | undefined;
}
