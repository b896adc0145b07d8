/** AdminJS ships its bundler entry point (`adminjs/bundler`) without type declarations. */
declare module 'adminjs/bundler' {
  import type AdminJS from 'adminjs';

  /** Where AdminJS writes the user-components entry and bundle (from `ADMIN_JS_TMP_DIR`). */
  export const ADMIN_JS_TMP_DIR: string;
  export const componentsBundler: {
    createEntry(options: { content: string }): Promise<void>;
    build(): Promise<void>;
  };
  export function generateUserComponentEntry(admin: AdminJS, entryPath: string): string;
}
