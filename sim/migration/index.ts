export { LiveMigration, type MigrationContext } from './live-migration.ts';
export { MigrationParams, type AbortReason, type MigrationRecord } from './params.ts';
