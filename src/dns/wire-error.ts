/** Why a message could not be decoded; `id` is set when the header was readable (to send FORMERR). */
export class WireError extends Error {
  constructor(message: string, readonly id?: number) {
    super(message);
    this.name = 'WireError';
  }
}
