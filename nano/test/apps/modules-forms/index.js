// Every import and export form the loader supports, in one small graph.
import config from './config.json';
import greet, { shout as loud, VERSION } from './lib/greet.js';
import * as counter from './lib/counter.js';
import { count, increment } from './lib/counter.js';
import Anonymous from './lib/anonymous-class.js';
import './lib/side-effect.js';
import defaultFn, { named } from './lib/default-function';

increment();
increment();

export default {
  fetch() {
    return [config.name, greet('a'), loud('b'), VERSION, counter.count, count,
      new Anonymous().kind, Anonymous.name, defaultFn(), defaultFn.name, named].join(' ');
  },
};
export const seenAtImport = count;
export let later = 1;
export var { x, y: [why] } = { x: 'X', y: ['Y'] };
export function hoisted() { return 'hoisted'; }
export class Thing { get kind() { return 'thing'; } }
const local = 'local';
export { local, local as renamed, greet as 'quoted name' };
export { shout, VERSION as version } from './lib/greet.js';
export * from './lib/star.js';
export * as starNamespace from './lib/star.js';
