export const fromStar = 'star';
export default 'the default is not re-exported by export *';
