// Types of scripts/compiled-tree.mjs (plain JavaScript: bin/fleetlab.js loads it before any TypeScript loader).
export declare const ROOT: string;
export declare const SOURCE_DIRS: readonly string[];
export declare const STAMP: string;
export declare function sourceFiles(root?: string): string[];
export declare function codeState(root?: string): { newest_mtime_ms: number; source_files: number };
export declare function freshEntry(out?: string, root?: string): string | undefined;
