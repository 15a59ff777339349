export interface Store<T> {
  get(key: string): T | undefined;
  put(key: string, value: T): void;
}

export class MemoryStore<T> implements Store<T> {
  private items = new Map<string, T>();
  get(key: string): T | undefined { return this.items.get(key); }
  put(key: string, value: T): void { this.items.set(key, value); }
}
