export default function greet(who) {
  return 'hello ' + who;
}
export const shout = (who) => greet(who).toUpperCase();
export const VERSION = '1.0';
