// A realistic TypeScript Worker: interfaces, generics, `as`, `satisfies`, overloads,
// abstract classes, access modifiers, non-null assertions, type-only imports.
import type { Env } from './types';
import { type Store, MemoryStore } from './store.ts';

interface Greeting<T extends string = string> {
  text: T;
  readonly count?: number;
}
type Pair<A, B> = [A, B];
declare const BUILD_ID: string;

abstract class Base<T> {
  protected abstract suffix(): string;
  private readonly cache: Map<string, T> = new Map<string, T>();
  declare extra: number;
  value!: string;
  optional?: number = 3;
  public static create<U>(this: void, x?: U): U | undefined { return x; }
  greet(greeting: Greeting): string { return greeting.text + this.suffix(); }
}

class Impl extends Base<number> implements Partial<Store<number>> {
  protected override suffix(): string { return '!'; }
}

function pair<A, B>(a: A, b: B): Pair<A, B> { return [a, b] as Pair<A, B>; }
function same(x: number): number;
function same(x: string): string;
function same(x: any): any { return x; }

const store: Store<string> = new MemoryStore<string>();
let definite!: number;
definite = (<number>(1 as unknown)) satisfies number;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    store.put('k', 'stored');
    const p = pair<string, number>('a', 1);
    const g = { text: 'hi' } as Greeting;
    const name = env!.NAME ?? 'anonymous';
    return new Response([new Impl().greet(g), p.join(','), same(2), definite,
      Base.create(5), store.get('k')!, name].join(' '));
  },
} satisfies ExportedHandler<Env>;

export function failsOnLine48(): never {
  throw new Error('line 48');
}
