/** Environment substitution in Corefile tokens. */

const REF = /\{(?:\$([^{}]+)|env\.([^{}]+)|%([^{}%]+)%)\}/g;

/**
 * Replaces `{$NAME}`, `{env.NAME}` and `{%NAME%}` with the variable's value, empty when unset,
 * as CoreDNS does. One pass: a value that itself looks like a reference is kept as written.
 */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv): string {
  if (!text.includes('{')) return text;
  return text.replace(REF, (_m, a?: string, b?: string, c?: string) => env[a ?? b ?? c ?? ''] ?? '');
}
