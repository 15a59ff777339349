export default class {
  get kind() { return 'anonymous'; }
}
