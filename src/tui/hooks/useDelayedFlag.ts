/** True once `active` has stayed true for `ms` (a loading line only after 100 ms: no flicker on fast pages). */
import { useEffect, useState } from 'react';

export function useDelayedFlag(active: boolean, ms = 100): boolean {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!active) {
      setShown(false);
      return;
    }
    const t = setTimeout(() => setShown(true), ms);
    return () => clearTimeout(t);
  }, [active, ms]);
  return active && shown;
}
