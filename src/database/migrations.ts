import { InitialSchema1795478400000 } from '../../migrations/1795478400000-InitialSchema.js';

/** Every migration, in order. A new migration file is added here too. */
export const MIGRATIONS = [InitialSchema1795478400000];
