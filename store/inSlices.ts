/**
 * Long loops over a batch on a thread that also serves requests (the collector's) yield to the
 * event loop about every `sliceMs`: normalising and appending 10 000 spans with a million attributes
 * takes about half a second, which health checks must not wait for.
 */
const SLICE_MS = 10;
const CHECK_EVERY = 64;

const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Calls `fn` for each item, pausing between items once a slice's time is used up. */
export async function forEachInSlices<T>(items: readonly T[], fn: (item: T) => void, sliceMs = SLICE_MS): Promise<void> {
  let sliceStart = performance.now();
  for (let i = 0; i < items.length; i++) {
    fn(items[i]!);
    if (i % CHECK_EVERY === CHECK_EVERY - 1 && performance.now() - sliceStart >= sliceMs) {
      await pause();
      sliceStart = performance.now();
    }
  }
}

/** `items.map(fn)`, in slices (see {@link forEachInSlices}). */
export async function mapInSlices<T, U>(items: readonly T[], fn: (item: T) => U, sliceMs = SLICE_MS): Promise<U[]> {
  const out: U[] = new Array<U>(items.length);
  let i = 0;
  await forEachInSlices(items, (item) => {
    out[i++] = fn(item);
  }, sliceMs);
  return out;
}
