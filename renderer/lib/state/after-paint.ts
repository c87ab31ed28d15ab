/**
 * Resolves once the next frame has been painted (in a task after the next animation frame), so
 * work that can wait — the rest of a long list, a heavy module — does not hold back what is
 * about to be shown. A hidden window gets no frames: then it resolves after `fallbackMs`.
 */
export function afterPaint(fallbackMs = 100): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, fallbackMs);
    if (typeof requestAnimationFrame !== 'function') return;
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback);
        resolve();
      }, 0),
    );
  });
}
