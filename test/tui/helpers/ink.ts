/** Waiting for Ink frames: send keys, then wait for the frame to change before asserting. */
export async function waitForFrame(lastFrame: () => string | undefined, pred: (frame: string) => boolean, timeoutMs = 5000): Promise<string> {
  const start = Date.now();
  for (;;) {
    const f = lastFrame() ?? '';
    if (pred(f)) return f;
    if (Date.now() - start > timeoutMs) throw new Error(`frame never matched within ${timeoutMs} ms; last frame:\n${f}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const KEYS = {
  down: '\x1b[B',
  up: '\x1b[A',
  pageDown: '\x1b[6~',
  pageUp: '\x1b[5~',
  enter: '\r',
  escape: '\x1b',
  backspace: '\x7f',
};
