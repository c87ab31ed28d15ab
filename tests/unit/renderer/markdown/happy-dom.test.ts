// @vitest-environment happy-dom
/**
 * DOMPurify ≥ 3.4.8 does not sanitize under happy-dom (cure53/DOMPurify#1457,
 * capricorn86/happy-dom#2182): elements after a removed one are skipped and attributes survive.
 * Our sanitizer probes its DOM and refuses to run rather than pass model output through unsanitized.
 * That is why sanitizing is tested in Chromium (browser.test.ts), not here.
 */
import DOMPurify from 'dompurify';
import { expect, it } from 'vitest';
import { renderMarkdown, sanitize } from '../../../../renderer/lib/markdown';

const domIsBroken = DOMPurify.sanitize('<p>a</p><img src=x onerror=alert(1)>').includes('onerror');

it.runIf(domIsBroken)('in a DOM where DOMPurify is inert, we refuse to render at all', () => {
  expect(() => sanitize('<p>x</p>')).toThrow(/does not sanitize in this DOM/);
  expect(() => renderMarkdown('<img src=x onerror=alert(1)> hello')).toThrow(
    /does not sanitize in this DOM/,
  );
});

it.runIf(!domIsBroken)('once happy-dom is fixed, sanitizing works here too', () => {
  expect(sanitize('<p>a<img src=x onerror=alert(1)></p>')).toBe('<p>a</p>');
});
