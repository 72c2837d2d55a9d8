/** An output dwell refuses to write, or could not write: the message names the path and why. Exit code 2. */
export class OutputError extends Error {
  override name = 'OutputError';
}
