// Runtime test app: a module without any fetch handler.
export const version = 1;
