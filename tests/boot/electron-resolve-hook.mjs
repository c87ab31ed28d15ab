/**
 * Module resolve hook (https://nodejs.org/api/module.html#customization-hooks), registered by
 * register-electron-double.mjs: `electron` and `electron/main` resolve to the Electron double
 * wherever they are imported from (the app bundle, electron-store).
 */
let double = '';

/** @param {{ double: string }} data the double's URL */
export function initialize(data) {
  double = data.double;
}

/**
 * @param {string} specifier
 * @param {object} context
 * @param {(specifier: string, context: object) => Promise<object>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron' || specifier === 'electron/main') {
    return { url: double, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
