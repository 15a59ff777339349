export default function () {
  return 'anonymous function';
}
export const named = 'named';
