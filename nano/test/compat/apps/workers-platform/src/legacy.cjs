// A CommonJS module, as some npm dependencies still are: esbuild wraps it in its
// __commonJS helper and the ESM entry imports module.exports as the default.
'use strict';

const counter = { value: 0 };

function slugify(text) {
  return String(text).toLowerCase().trim().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

exports.slugify = slugify;
exports.bump = function bump() {
  counter.value += 1;
  return counter.value;
};
exports.kind = typeof module === 'object' && module.exports === exports ? 'commonjs' : 'other';
