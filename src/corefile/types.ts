/** The parsed Corefile: server blocks of directives, each remembering where it was written. */

/** Where a token came from, for `Corefile:line` errors. */
export interface Pos {
  file: string;
  line: number;
}

/** One directive line (`name args...`), with its `{ ... }` block of sub-directives when present. */
export interface Directive extends Pos {
  name: string;
  args: string[];
  /** Sub-directive lines of the block; null when the directive has no block. */
  block: Directive[] | null;
}

/** One server block: its keys (`.:53`, `cluster.local:1053`, `dns://.`) and directives in written order. */
export interface ServerBlock extends Pos {
  keys: string[];
  directives: Directive[];
}
