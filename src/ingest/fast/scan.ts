/**
 * The JS pass of the fast path: it reads the file while DuckDB does (the same read hashes it, in
 * evidence-reader.ts) and checks, on the decompressed bytes, what the SQL path cannot promise:
 * a bare `\r` (DuckDB ends a line there, or stops), line ends mixing LF and CRLF (byte offsets
 * would drift), NUL bytes. It also counts lines and bytes, so the ingest can check that DuckDB
 * read exactly the content that was hashed. Work per byte is native (`indexOf`).
 */
export interface ScanResult {
  /** Decompressed bytes. */
  bytes: number;
  /** Newlines (LF). */
  lfs: number;
  /** Carriage returns, and how many of them stand right before a LF. */
  crs: number;
  crlfs: number;
  nul: boolean;
  /** The last byte is a LF (or the file is empty). */
  endsWithLf: boolean;
}

export class LineEndScan {
  private r: ScanResult = { bytes: 0, lfs: 0, crs: 0, crlfs: 0, nul: false, endsWithLf: true };
  /** The previous chunk ended with a CR: does this one start with a LF? */
  private pendingCr = false;

  push(chunk: Buffer): void {
    const r = this.r;
    if (chunk.length === 0) return;
    if (this.pendingCr && chunk[0] === 10) r.crlfs++;
    this.pendingCr = false;
    r.bytes += chunk.length;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) r.lfs++;
    for (let i = chunk.indexOf(13); i >= 0; i = chunk.indexOf(13, i + 1)) {
      r.crs++;
      if (i + 1 < chunk.length) {
        if (chunk[i + 1] === 10) r.crlfs++;
      } else this.pendingCr = true;
    }
    if (!r.nul && chunk.indexOf(0) >= 0) r.nul = true;
    r.endsWithLf = chunk[chunk.length - 1] === 10;
  }

  get result(): ScanResult {
    return { ...this.r };
  }
}

/**
 * Why the SQL path cannot take content scanned as `r` with the newline chosen from its head
 * (1 = LF, 2 = CRLF), or null when it can.
 */
export function lineEndProblem(r: ScanResult, newline: 1 | 2): string | null {
  if (r.nul) return 'NUL bytes';
  if (newline === 1 && r.crs > 0) return 'carriage returns in an LF file';
  if (newline === 2 && (r.crs !== r.crlfs || r.crlfs !== r.lfs)) return 'line ends mix CRLF with LF or a bare CR';
  if (newline === 2 && !r.endsWithLf) return 'CRLF file whose last line has no line end';
  return null;
}

/** Lines as the JS line splitter counts them: one per LF, plus a last line without one. */
export function linesOf(r: ScanResult): number {
  return r.lfs + (r.bytes > 0 && !r.endsWithLf ? 1 : 0);
}
