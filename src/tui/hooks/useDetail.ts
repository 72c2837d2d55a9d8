/**
 * The open event's detail, then — in the background — whether its bytes are still at their offset
 * and whether its evidence file still hashes to the SHA-256 recorded at ingest. Hashing is on
 * demand: automatic for files up to 256 MiB (a few hundred ms), `v` for larger ones or to re-check.
 */
import { useEffect, useRef, useState } from 'react';
import type { TimelineSource } from '../data/source.js';
import type { EventDetail } from '../data/types.js';
import type { BytesState, VerifyState } from '../components/DetailView.js';

export const AUTO_VERIFY_BYTES = 256 * 1024 * 1024;

export function useDetail(source: TimelineSource, eventId: number | null, version: number, verifyNonce: number) {
  const [detail, setDetail] = useState<{ id: number; d: EventDetail | null; error?: string } | null>(null);
  const [verify, setVerify] = useState<VerifyState>({ state: 'idle' });
  const [bytes, setBytes] = useState<BytesState>(null);
  const handledNonce = useRef(verifyNonce);

  useEffect(() => {
    if (eventId === null) return;
    let live = true;
    source.detail(eventId).then(
      (d) => live && setDetail({ id: eventId, d }),
      (err: Error) => live && setDetail({ id: eventId, d: null, error: err.message }),
    );
    return () => {
      live = false;
    };
  }, [eventId, version]);

  const d = detail && detail.id === eventId ? detail.d : null;
  const evidenceId = d?.evidence?.evidenceId ?? null;

  useEffect(() => {
    if (!d) return;
    let live = true;
    setBytes(null);
    source.checkBytes(d).then(
      (b) => live && setBytes(b),
      (err: Error) => live && setBytes({ state: 'unavailable', detail: err.message }),
    );
    return () => {
      live = false;
    };
  }, [d?.eventId]);

  useEffect(() => {
    const ev = d?.evidence;
    if (!ev || !ev.sha256) {
      setVerify({ state: 'idle' });
      return;
    }
    // `v` forces one re-hash; opening another event of the same file reuses the cached result.
    const forced = verifyNonce !== handledNonce.current;
    handledNonce.current = verifyNonce;
    if (!forced && (ev.size ?? 0) > AUTO_VERIFY_BYTES) {
      setVerify({ state: 'idle' });
      return;
    }
    let live = true;
    setVerify({ state: 'hashing' });
    source.verify(ev, forced).then(
      (result) => live && setVerify({ state: 'done', result, at: Date.now() }),
      (err: Error) => live && setVerify({ state: 'error', error: err.message }),
    );
    return () => {
      live = false;
    };
  }, [evidenceId, verifyNonce]);

  return { detail: d, loading: eventId !== null && (!detail || detail.id !== eventId), error: detail?.id === eventId ? (detail.error ?? null) : null, verify, bytes };
}
