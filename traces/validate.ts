export { parseConfig } from '../config/parse.ts';
