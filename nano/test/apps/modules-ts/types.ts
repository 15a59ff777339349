export interface Env {
  NAME?: string;
}
