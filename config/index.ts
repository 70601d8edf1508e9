/** config/: the validation every config of the project shares (errors naming option, expectation and value). */
export { ConfigError, showValue, type ConfigIssue } from './errors.ts';
export { parseConfig } from './parse.ts';
export { FolderName, folderNameProblem } from './folder-name.ts';
export { limitedInt, limitMessage, LIMITS, limitValue, type Limit } from './limits.ts';
export { nearestName } from './nearest-name.ts';
export { readConfigFile } from './read-config-file.ts';
